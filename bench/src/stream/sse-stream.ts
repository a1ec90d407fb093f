import { type Agent, request as httpRequest } from "node:http";
import type { EventKind, StreamCall, StreamOutcome } from "./stream-outcome.ts";

export interface SseStreamOptions {
  agent: Agent;
  url: URL;
  method: "GET" | "POST";
  /** JSON body for POST. */
  body?: string;
  /** Extra request headers (the OpenAI-compatible service takes Keel's options as headers). */
  headers?: Record<string, string>;
  /** Says what each `data:` payload is; errors return `error` and the code from `failureOf`. */
  classify: (data: string) => EventKind;
  failureOf?: (data: string) => string;
  timeoutMs: number;
}

/**
 * One server-sent-events stream over node:http, read incrementally: frames are split on
 * blank lines and only their `data:` payload is looked at, with plain string tests (no
 * JSON parse per delta), so the client stays cheap next to the server it measures.
 */
export function createSseStreamCall(options: SseStreamOptions): StreamCall {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string | number> = { accept: "text/event-stream", ...options.headers };
  if (body) {
    headers["content-type"] = "application/json";
    headers["content-length"] = body.length;
  }
  return () =>
    new Promise<StreamOutcome>((resolve) => {
      const outcome: StreamOutcome = { ok: false, firstContentAt: Number.NaN, endedAt: 0, contentEvents: 0 };
      let settled = false;
      const finish = (failure?: string) => {
        if (settled) return;
        settled = true;
        outcome.endedAt = performance.now();
        if (!outcome.ok) outcome.failure = failure ?? "no-final-event";
        resolve(outcome);
      };
      const outgoing = httpRequest(
        {
          agent: options.agent,
          hostname: options.url.hostname,
          port: options.url.port,
          path: options.url.pathname + options.url.search,
          method: options.method,
          headers,
          timeout: options.timeoutMs,
        },
        (incoming) => {
          if (incoming.statusCode !== 200) {
            incoming.resume();
            finish(`http-${incoming.statusCode}`);
            return;
          }
          incoming.setEncoding("utf8");
          let buffered = "";
          incoming.on("data", (text: string) => {
            buffered += text;
            let boundary = buffered.indexOf("\n\n");
            while (boundary !== -1) {
              const frame = buffered.slice(0, boundary);
              buffered = buffered.slice(boundary + 2);
              boundary = buffered.indexOf("\n\n");
              const dataAt = frame.startsWith("data: ") ? 0 : frame.indexOf("\ndata: ") + 1;
              if (dataAt === 0 && !frame.startsWith("data: ")) continue;
              const data = frame.slice(dataAt + 6);
              const kind = options.classify(data);
              if (kind === "content") {
                if (outcome.contentEvents === 0) outcome.firstContentAt = performance.now();
                outcome.contentEvents += 1;
              } else if (kind === "done") {
                outcome.ok = true;
              } else if (kind === "error") {
                finish(options.failureOf?.(data) ?? "error-event");
              }
            }
          });
          incoming.on("end", () => finish());
          incoming.on("error", (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
        },
      );
      outgoing.on("timeout", () => {
        outgoing.destroy();
        finish("timeout");
      });
      outgoing.on("error", (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
      outgoing.end(body);
    });
}

/** tRPC's SSE frames: `{"type":"delta",...}`, `{"type":"done",...}`, `{"type":"error",...}`. */
export function classifyKeelEvent(data: string): EventKind {
  if (data.startsWith('{"type":"delta"')) return "content";
  if (data.startsWith('{"type":"done"')) return "done";
  if (data.startsWith('{"type":"error"')) return "error";
  return "other";
}

export function keelErrorCode(data: string): string {
  return /"code":"([A-Z_]+)"/.exec(data)?.[1] ?? "error-event";
}

/** OpenAI chat-completion chunks: content deltas with text, then `[DONE]`. */
export function classifyOpenAiChunk(data: string): EventKind {
  if (data === "[DONE]") return "done";
  if (data.includes('"delta":{"content":"') && !data.includes('"delta":{"content":""')) return "content";
  if (data.startsWith('{"error"')) return "error";
  return "other";
}
