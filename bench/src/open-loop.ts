import { Agent, request as httpRequest } from "node:http";

export interface LoadTarget {
  name: string;
  url: string;
  /** Request body for every call (POST, JSON). */
  body: string;
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
  /** Milliseconds, measured from each request's SCHEDULED send time (open loop). */
  latency: { p50: number; p90: number; p99: number; max: number };
}

/**
 * Open-loop load: request i is sent at start + i/rate whether or not earlier ones have
 * answered, and its latency counts from that scheduled time. A closed loop (wait for an
 * answer before sending the next) hides stalls; this does not.
 */
export async function runOpenLoop(target: LoadTarget, options: { rate: number; durationMs: number; timeoutMs?: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const url = new URL(target.url);
  const body = Buffer.from(target.body);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let lastDone = start;

  for (let index = 0; index < total; index += 1) {
    const scheduled = start + (index * 1000) / options.rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(
      send(agent, url, body, options.timeoutMs ?? 10_000).then(({ status, text }) => {
        const done = performance.now();
        lastDone = Math.max(lastDone, done);
        latencies.push(done - scheduled);
        const success = target.isSuccess ? target.isSuccess(status, text) : status >= 200 && status < 300;
        if (success) ok += 1;
        else errors += 1;
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    target: target.name,
    rate: options.rate,
    sent: total,
    ok,
    errors,
    achievedRate: (ok + errors) / ((lastDone - start) / 1000),
    latency: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? 0 },
  };
}

function send(agent: Agent, url: URL, body: Buffer, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      { agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: "POST", headers: { "content-type": "application/json", "content-length": body.length }, timeout: timeoutMs },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        incoming.on("error", (error: NodeJS.ErrnoException) => resolve({ status: 0, text: error.code ?? error.message }));
      },
    );
    // With no answer, `text` says why: "timeout" or the socket error's code (e.g. ECONNRESET).
    outgoing.on("timeout", () => outgoing.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve({ status: 0, text: error.code ?? error.message }));
    outgoing.end(body);
  });
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
