import type { ChatMessage, ChatRequest } from "@keel/spec";
import { canonicalJson, sha256 } from "./canonical-json.ts";

/** Bump when the key composition changes, so old entries are never read with new meaning. */
export const KEY_SCHEMA_VERSION = 1;

export interface CacheKeyOptions {
  /** The tenant's namespace: the tenant itself unless tenants share one. */
  namespace: string;
  /** What else changes the answer, e.g. the route's target list. */
  scope?: string;
}

/**
 * The exact-cache key: SHA-256 of the canonical JSON of everything that changes the answer.
 * Not part of it: `cache` (how to use the cache), `idempotent`, `structured.maxAttempts`
 * and `structured.validators` (functions; they reject answers, they do not shape them).
 * The hash is a Redis Cluster hash tag (`exact:{<hash>}`), so the entry and the keys
 * derived from it (`lock:exact:{<hash>}`, `error:exact:{<hash>}`) share one slot.
 */
export function exactCacheKey(request: ChatRequest, options: CacheKeyOptions): string {
  return `exact:${hashTag(sha256(canonicalJson(keyMaterial(request, options, request.messages))))}`;
}

/** `{text}`: Redis Cluster hashes only the text between the first braces of a key. */
export function hashTag(text: string): string {
  return `{${text}}`;
}

/**
 * The semantic-cache partition: the same material as the exact key without the last user
 * message, so a semantic match only ever crosses requests that agree on everything else.
 */
export function semanticPartition(request: ChatRequest, options: CacheKeyOptions & { embedder: string }): string {
  const material = keyMaterial(request, options, request.messages.slice(0, -1));
  return sha256(canonicalJson({ ...material, embedder: options.embedder })).slice(0, 32);
}

// Both material objects list their fields in sorted order, so canonicalJson need not sort them.
function keyMaterial(request: ChatRequest, options: CacheKeyOptions, messages: readonly ChatMessage[]) {
  return {
    // Absent for requests without documents, so their keys are what they were before documents existed.
    documents: request.documents?.map((document) => ({ id: document.id, text: document.text })),
    maxTokens: request.maxTokens,
    messages: messages.map(messageMaterial),
    model: request.model,
    namespace: options.namespace,
    responseFormat: request.responseFormat,
    scope: options.scope,
    seed: request.seed,
    stop: request.stop,
    structured: request.structured ? { name: request.structured.name, schema: request.structured.schema } : undefined,
    temperature: request.temperature,
    toolChoice: request.toolChoice,
    tools: request.tools,
    topP: request.topP,
    v: KEY_SCHEMA_VERSION,
  };
}

function messageMaterial(message: ChatMessage) {
  return {
    content: message.content,
    name: message.name,
    role: message.role,
    toolCallId: message.toolCallId,
    toolCalls: message.toolCalls,
  };
}
