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

function keyMaterial(request: ChatRequest, options: CacheKeyOptions, messages: readonly ChatMessage[]) {
  return {
    v: KEY_SCHEMA_VERSION,
    namespace: options.namespace,
    scope: options.scope,
    model: request.model,
    messages: messages.map(messageMaterial),
    temperature: request.temperature,
    topP: request.topP,
    maxTokens: request.maxTokens,
    stop: request.stop,
    seed: request.seed,
    tools: request.tools,
    toolChoice: request.toolChoice,
    responseFormat: request.responseFormat,
    structured: request.structured ? { schema: request.structured.schema, name: request.structured.name } : undefined,
    // Absent for requests without documents, so their keys are what they were before documents existed.
    documents: request.documents?.map((document) => ({ id: document.id, text: document.text })),
  };
}

function messageMaterial(message: ChatMessage) {
  return {
    role: message.role,
    content: message.content,
    name: message.name,
    toolCallId: message.toolCallId,
    toolCalls: message.toolCalls,
  };
}
