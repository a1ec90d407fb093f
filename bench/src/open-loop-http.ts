import { Agent, request as httpRequest } from "node:http";
import type { LoadResult, LoadTarget } from "./open-loop.ts";
import { runOpenLoopCalls } from "./open-loop-calls.ts";

/**
 * `runOpenLoop`'s HTTP load on `runOpenLoopCalls`' schedule, which counts an early-leaving
 * request from when it left. Timers let about two thirds of requests leave up to ~1 ms
 * before their scheduled time, which shaves a few tenths of a millisecond off every
 * percentile: noise for a pipeline call, a third of a ~1 ms cache hit.
 */
export async function runOpenLoopHttp(target: LoadTarget, options: { rate: number; durationMs: number; timeoutMs?: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const url = new URL(target.url);
  const body = Buffer.from(target.body);
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    return await runOpenLoopCalls(
      target.name,
      async () => {
        const { status, text } = await post({ agent, url, body, timeoutMs });
        return target.isSuccess ? target.isSuccess(status, text) : status >= 200 && status < 300;
      },
      options,
    );
  } finally {
    agent.destroy();
  }
}

/** One JSON POST; never rejects: no answer is status 0. */
function post(options: { agent: Agent; url: URL; body: Buffer; timeoutMs: number }): Promise<{ status: number; text: string }> {
  const { agent, url, body, timeoutMs } = options;
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      { agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers: { "content-type": "application/json", "content-length": body.length }, timeout: timeoutMs },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        incoming.on("error", () => resolve({ status: 0, text: "" }));
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("timeout")));
    outgoing.on("error", () => resolve({ status: 0, text: "" }));
    outgoing.end(body);
  });
}
