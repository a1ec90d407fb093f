import type { Generation, KeelErrorCode } from "@keel/spec";

/** The three services under test; every scenario runs once against each. */
export type ServiceKind = "trpc" | "graphql" | "openai";
export const SERVICE_KINDS: readonly ServiceKind[] = ["trpc", "graphql", "openai"];

/** A chat request as a caller writes it (spec shape: lower-case roles and cache modes). Loose, so bad input can be sent too. */
export interface ChatInput {
  model: unknown;
  messages: unknown;
  [field: string]: unknown;
}

/** Keel's caller-safe error, whichever transport carried it (tRPC `data`, GraphQL `extensions`, OpenAI `error.keel`). */
export interface ErrorView {
  code: KeelErrorCode;
  message: string;
  retryable: boolean;
  details: Record<string, unknown>;
}

export type GenerateOutcome =
  | { kind: "envelope"; envelope: Generation; elapsedMs: number }
  | { kind: "error"; error: ErrorView; elapsedMs: number };

/** Stream events with the GraphQL enums folded back to the spec's spelling. */
export type StreamEventView =
  | { type: "delta"; content: string }
  | { type: "done"; generation: Generation }
  | { type: "error"; error: ErrorView };

export interface StreamOutcome {
  events: StreamEventView[];
  /** The service refused the operation before any event (bad input, unknown model). */
  rejected?: ErrorView;
  /** complete: the service ended it; aborted: we did; transport: the connection failed under it. */
  ended: "complete" | "aborted" | "transport";
  elapsedMs: number;
}

export interface StreamCallOptions {
  /** Aborting closes the SSE stream (tRPC, OpenAI) or ends the subscription (GraphQL). */
  signal?: AbortSignal;
  /** GraphQL only: abort by closing the whole WebSocket instead of sending `complete`. */
  abortBy?: "unsubscribe" | "close-socket";
  onEvent?: (event: StreamEventView) => void;
}

/** One service as a caller sees it, through its real client over real HTTP / SSE / WebSocket. */
export interface ServiceAdapter {
  readonly kind: ServiceKind;
  /** Resolves with the envelope or the typed error; rejects only when aborted through the signal. */
  generate(input: ChatInput, options?: { signal?: AbortSignal }): Promise<GenerateOutcome>;
  stream(input: ChatInput, options?: StreamCallOptions): Promise<StreamOutcome>;
  close(): Promise<void>;
}
