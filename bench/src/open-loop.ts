import { Agent, request as httpRequest } from "node:http";
import { runOpenLoopCalls } from "./open-loop-calls.ts";

export interface LoadTarget {
  name: string;
  /** Where to POST; several URLs take the calls in turn (call i goes to url[i % length]). */
  url: string | readonly string[];
  /** Request body (JSON) for every call, or for call i (a unique body per call defeats a cache). */
  body: string | ((index: number) => string);
  /** Extra request headers for every call. */
  headers?: Record<string, string>;
  /** Send the body chunked, without a Content-Length (Keel's tRPC service then takes tRPC's own adapter path). */
  chunked?: boolean;
  /** Whether a 200 answer counts as success; defaults to any 2xx. */
  isSuccess?: (status: number, body: string) => boolean;
}

export interface LoadResult {
  target: string;
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  achievedRate: number;
  /** Milliseconds, from each request's scheduled send time (open loop), or from when it left if earlier. */
  latency: { p50: number; p90: number; p99: number; max: number };
}

/**
 * Open-loop load: request i is sent at start + i/rate whether or not earlier ones have
 * answered, and its latency counts from that scheduled time (or from when it left, when
 * the ~1 ms coarse timer let it go early). A closed loop (wait for an answer before
 * sending the next) hides stalls; this does not.
 */
export async function runOpenLoop(
  target: LoadTarget,
  options: { rate: number; durationMs: number; timeoutMs?: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const urls = (typeof target.url === "string" ? [target.url] : target.url).map((url) => new URL(url));
  const fixedBody = typeof target.body === "string" ? Buffer.from(target.body) : undefined;
  const bodyOf = target.body;
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    return await runOpenLoopCalls(
      target.name,
      async (index) => {
        const url = urls[index % urls.length] as URL;
        const body = fixedBody ?? Buffer.from(typeof bodyOf === "string" ? bodyOf : bodyOf(index));
        const { status, text } = await post({
          agent,
          url,
          body,
          timeoutMs,
          headers: target.headers ?? {},
          chunked: target.chunked === true,
        });
        return target.isSuccess ? target.isSuccess(status, text) : status >= 200 && status < 300;
      },
      options,
    );
  } finally {
    agent.destroy();
  }
}

/** One JSON POST; never rejects. With no answer (status 0), `text` says why: "timeout" or the socket error's code. */
function post(options: {
  agent: Agent;
  url: URL;
  body: Buffer;
  timeoutMs: number;
  headers: Record<string, string>;
  chunked: boolean;
}): Promise<{ status: number; text: string }> {
  const { agent, url, body, timeoutMs, headers, chunked } = options;
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": body.length }),
        },
        timeout: timeoutMs,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        incoming.on("error", (error: NodeJS.ErrnoException) =>
          resolve({ status: 0, text: error.code ?? error.message }),
        );
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve({ status: 0, text: error.code ?? error.message }));
    outgoing.end(body);
  });
}
