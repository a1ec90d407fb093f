import type { ToolCall, ValidationIssue } from "./generation.ts";

/** What a caller asks for. Field names follow Keel's camelCase; providers map them to wire names. */

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ChatMessage {
  role: ChatRole;
  content: string;
  name?: string;
  /** For role "tool": the id of the tool call this message answers. */
  toolCallId?: string;
  /** For role "assistant": the tool calls it made, so a following "tool" message can answer them. */
  toolCalls?: ToolCall[];
}

export interface ToolDefinition {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export type ToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; jsonSchema: { name: string; schema: Record<string, unknown>; strict?: boolean } };

/**
 * Per-request cache control:
 * - default: read and write the cache as the route's policy says
 * - bypass: neither read nor write
 * - refresh: skip the read, call upstream, write the fresh answer
 * - only-if-cached: answer from the cache or fail; never call upstream
 */
export type CacheMode = "default" | "bypass" | "refresh" | "only-if-cached";

export interface CacheControl {
  mode?: CacheMode;
  /** Overrides the route's TTL for an entry this request stores. */
  ttlSeconds?: number;
}

/**
 * Text the model reads as data (retrieved passages, files, web pages): it reaches the model
 * as one system message after the caller's own system messages, each document framed by
 * `<document id="...">` tags, and the safety stages scan it on the document channel (like
 * messages of role `tool`) and check claims against it.
 */
export interface ChatDocument {
  id?: string;
  text: string;
}

export interface ChatRequest {
  /** The model or route name the caller asks for; config maps it to targets. */
  model: string;
  /** The caller's tag for the kind of work ("extract", "summarise"): routes' selection rules may match on it. */
  task?: string;
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  cache?: CacheControl;
  /** Set by the `structured` operation: validate the answer against a schema, repair, re-ask. */
  structured?: StructuredOutputSpec;
  /** The caller says repeating this request has no side effects (enables hedging). */
  idempotent?: boolean;
  /** Context documents the model reads as data; see ChatDocument. */
  documents?: ChatDocument[];
}

/** A check beyond the schema; returns the problems found (empty when the value is fine). */
export type CustomValidator = (value: unknown) => ValidationIssue[];

export interface StructuredOutputSpec {
  /** JSON Schema (draft 2020-12 or 07) the answer must satisfy. */
  schema: Record<string, unknown>;
  /** Name sent with `response_format: json_schema`. */
  name?: string;
  /** Upstream attempts allowed, the first included. */
  maxAttempts?: number;
  /** In-process callers only: they cannot travel over the services. */
  validators?: CustomValidator[];
}

export interface EmbeddingRequest {
  model: string;
  input: string[];
}

export interface EmbeddingResult {
  model: string;
  provider: string;
  vectors: number[][];
  usage: { promptTokens: number; totalTokens: number };
  cached: boolean;
}
