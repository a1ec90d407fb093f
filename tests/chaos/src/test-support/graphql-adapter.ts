import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Generation } from "@keel/spec";
import type {
  ChatInput,
  ErrorView,
  GenerateOutcome,
  ServiceAdapter,
  StreamEventView,
  StreamOutcome,
} from "./service-adapter.ts";

const GENERATION_FIELDS = `
  id content model provider cache attempts costUsd latencyMs finishReason
  usage { promptTokens completionTokens totalTokens estimated }
  fallback { failed { target code message } answeredBy degraded }
  safety { input { scanner kind action } output { scanner kind action } }
`;
const GENERATE = `mutation Generate($input: GenerateInput!) { generate(input: $input) { ${GENERATION_FIELDS} } }`;
const GENERATE_STREAM = `subscription Stream($input: GenerateInput!) {
  generateStream(input: $input) { type content error { code message retryable details } generation { ${GENERATION_FIELDS} } }
}`;

interface GraphqlError {
  message: string;
  extensions?: { code?: string; retryable?: boolean; details?: Record<string, unknown> };
}

interface WireEvent {
  type: "DELTA" | "DONE" | "ERROR";
  content: string | null;
  error: ErrorView | null;
  generation: Record<string, unknown> | null;
}

/** The GraphQL service as a partner calls it: mutations over fetch, subscriptions over graphql-ws on a real WebSocket. */
export function createGraphqlAdapter(url: string): ServiceAdapter {
  const wsUrl = url.replace(/^http/, "ws");
  return {
    kind: "graphql",
    async generate(input, options = {}): Promise<GenerateOutcome> {
      const started = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: GENERATE, variables: { input: toGraphqlInput(input) } }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const body = (await response.json()) as {
        data?: { generate?: Record<string, unknown> } | null;
        errors?: GraphqlError[];
      };
      const elapsedMs = performance.now() - started;
      const first = body.errors?.[0];
      if (first) return { kind: "error", error: errorViewOf(first), elapsedMs };
      if (!body.data?.generate) throw new Error(`GraphQL answered neither data nor errors: ${JSON.stringify(body)}`);
      return { kind: "envelope", envelope: toEnvelope(body.data.generate), elapsedMs };
    },
    stream(input, options = {}) {
      const started = performance.now();
      // One client (one WebSocket) per stream, so closing the socket ends only this stream.
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
      return new Promise<StreamOutcome>((resolve) => {
        const events: StreamEventView[] = [];
        let rejected: ErrorView | undefined;
        let settled = false;
        const finish = (ended: StreamOutcome["ended"]) => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener("abort", onAbort);
          resolve({ events, ended, elapsedMs: performance.now() - started, ...(rejected ? { rejected } : {}) });
          void client.dispose();
        };
        const unsubscribe = client.subscribe<{ generateStream: WireEvent }>(
          { query: GENERATE_STREAM, variables: { input: toGraphqlInput(input) } },
          {
            next(result) {
              const first = (result.errors as GraphqlError[] | undefined)?.[0];
              if (first && events.length === 0) rejected ??= errorViewOf(first);
              const wire = result.data?.generateStream;
              if (!wire) return;
              const view = toEventView(wire);
              events.push(view);
              options.onEvent?.(view);
            },
            error(error) {
              if (Array.isArray(error) && error.length > 0 && events.length === 0) {
                rejected = errorViewOf(error[0] as GraphqlError);
                finish("complete");
              } else finish("transport");
            },
            complete: () => finish("complete"),
          },
        );
        const onAbort = () => {
          finish("aborted");
          if (options.abortBy === "close-socket") void client.dispose();
          else unsubscribe();
        };
        if (options.signal?.aborted) onAbort();
        else options.signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    async close() {},
  };
}

/** Spec spelling in, GraphQL enums out: roles and cache modes are upper-case enum values there. */
function toGraphqlInput(input: ChatInput): Record<string, unknown> {
  const messages = Array.isArray(input.messages)
    ? input.messages.map((message: Record<string, unknown>) =>
        typeof message.role === "string" ? { ...message, role: message.role.toUpperCase() } : message,
      )
    : input.messages;
  const cache = input.cache as { mode?: unknown } | undefined;
  return {
    ...input,
    messages,
    ...(cache && typeof cache.mode === "string"
      ? { cache: { ...cache, mode: cache.mode.toUpperCase().replaceAll("-", "_") } }
      : {}),
  };
}

/** GraphQL enums back to the spec's lower-case values, so assertions read the same for both services. */
function toEnvelope(wire: Record<string, unknown>): Generation {
  const fallback = wire.fallback as { failed: unknown[]; answeredBy: string | null; degraded: string | null };
  const { degraded, ...report } = fallback;
  return {
    ...(wire as unknown as Generation),
    cache: String(wire.cache).toLowerCase() as Generation["cache"],
    finishReason: String(wire.finishReason).toLowerCase() as Generation["finishReason"],
    fallback: {
      ...(report as Generation["fallback"]),
      ...(degraded ? { degraded: degraded.toLowerCase() as "stale" | "static" } : {}),
    },
  };
}

function toEventView(wire: WireEvent): StreamEventView {
  if (wire.type === "DELTA") return { type: "delta", content: wire.content ?? "" };
  if (wire.type === "DONE" && wire.generation) return { type: "done", generation: toEnvelope(wire.generation) };
  if (wire.type === "ERROR" && wire.error)
    return { type: "error", error: { ...wire.error, details: wire.error.details ?? {} } };
  throw new Error(`malformed stream event: ${JSON.stringify(wire)}`);
}

function errorViewOf(error: GraphqlError): ErrorView {
  const extensions = error.extensions ?? {};
  return {
    code: (extensions.code ?? "INTERNAL") as ErrorView["code"],
    message: error.message,
    retryable: extensions.retryable ?? false,
    details: extensions.details ?? {},
  };
}
