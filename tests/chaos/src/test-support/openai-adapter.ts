import OpenAI from "openai";
import type { Generation } from "@keel/spec";
import type { ChatInput, ErrorView, ServiceAdapter, StreamEventView, StreamOutcome } from "./service-adapter.ts";

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type WithEnvelope = { keel?: Omit<Generation, "content" | "toolCalls"> };

/** Keel's camelCase request fields and the OpenAI parameter each one is. */
const OPENAI_NAMES: Record<string, string> = {
  maxTokens: "max_tokens",
  topP: "top_p",
  toolChoice: "tool_choice",
  responseFormat: "response_format",
};

/**
 * The OpenAI-compatible service through the official openai SDK (its own retries off, so
 * call counts are Keel's). Keel's envelope comes back in the `keel` object the
 * `x-keel-envelope` header asks for; Keel's options (cache mode, idempotent) travel as
 * headers. A stream that fails before its first chunk is an HTTP error there, which this
 * view reports as the stream's one error event, as the other two services send it.
 */
export function createOpenaiAdapter(baseURL: string): ServiceAdapter {
  const client = new OpenAI({ baseURL, apiKey: "keel-chaos", maxRetries: 0 });
  return {
    kind: "openai",
    async generate(input, options = {}) {
      const started = performance.now();
      const { body, headers } = toOpenaiCall(input);
      try {
        const completion = await client.chat.completions.create(body, {
          headers,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const message = completion.choices[0]?.message;
        const envelope = (completion as WithEnvelope).keel;
        if (!envelope) throw new Error(`no keel envelope in ${JSON.stringify(completion)}`);
        return {
          kind: "envelope",
          envelope: { ...envelope, content: message?.content ?? "" } as Generation,
          elapsedMs: performance.now() - started,
        };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        return { kind: "error", error: errorViewOf(error), elapsedMs: performance.now() - started };
      }
    },
    stream(input, options = {}) {
      const started = performance.now();
      const controller = new AbortController();
      return new Promise<StreamOutcome>((resolve) => {
        const events: StreamEventView[] = [];
        let settled = false;
        const finish = (ended: StreamOutcome["ended"]) => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener("abort", onAbort);
          resolve({ events, ended, elapsedMs: performance.now() - started });
        };
        const push = (event: StreamEventView) => {
          events.push(event);
          options.onEvent?.(event);
        };
        const onAbort = () => {
          finish("aborted");
          controller.abort();
        };
        if (options.signal?.aborted) return onAbort();
        options.signal?.addEventListener("abort", onAbort, { once: true });

        const { body, headers } = toOpenaiCall(input);
        void (async () => {
          let content = "";
          try {
            const stream = await client.chat.completions.create(
              { ...body, stream: true },
              { headers, signal: controller.signal },
            );
            for await (const chunk of stream) {
              const text = chunk.choices[0]?.delta.content ?? "";
              if (text !== "") {
                content += text;
                push({ type: "delta", content: text });
              }
              const envelope = (chunk as WithEnvelope).keel;
              if (envelope) push({ type: "done", generation: { ...envelope, content } as Generation });
            }
            finish(events.at(-1)?.type === "done" ? "complete" : "transport");
          } catch (error) {
            if (settled) return;
            if (!(error instanceof OpenAI.APIError) || error instanceof OpenAI.APIConnectionError) {
              return finish("transport");
            }
            push({ type: "error", error: errorViewOf(error) });
            finish("complete");
          }
        })();
      });
    },
    async close() {},
  };
}

/** A caller's request in Keel's spelling as the OpenAI body and Keel's headers. */
function toOpenaiCall(input: ChatInput): { body: ChatBody; headers: Record<string, string> } {
  const headers: Record<string, string> = { "x-keel-envelope": "true" };
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (field === "cache") {
      const cache = value as { mode?: string; ttlSeconds?: number };
      if (cache.mode !== undefined) headers["x-keel-cache-mode"] = cache.mode;
      if (cache.ttlSeconds !== undefined) headers["x-keel-cache-ttl-seconds"] = String(cache.ttlSeconds);
    } else if (field === "idempotent") headers["x-keel-idempotent"] = String(value);
    else body[OPENAI_NAMES[field] ?? field] = value;
  }
  return { body: body as unknown as ChatBody, headers };
}

function errorViewOf(error: unknown): ErrorView {
  if (!(error instanceof OpenAI.APIError)) throw error;
  const body = error.error as
    | { message?: string; code?: string; keel?: { retryable?: boolean; details?: Record<string, unknown> } }
    | undefined;
  if (!body?.code) throw new Error(`OpenAI error without Keel's code: ${error.message}`);
  return {
    code: body.code as ErrorView["code"],
    message: body.message ?? error.message,
    retryable: body.keel?.retryable ?? false,
    details: body.keel?.details ?? {},
  };
}
