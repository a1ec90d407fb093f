/**
 * Hot-path cost of the telemetry middleware: the same trivial inner model called N times
 * directly (off) and through telemetry (on), sequentially, in one process. The inner model
 * emits the two events a provider emits per call, so the tee and its counters do real work.
 *
 *   pnpm --filter @keel/telemetry bench            (50,000 requests)
 *   pnpm --filter @keel/telemetry bench -- 100000
 */
import { noopEventSink, type ChatRequest, type Generation, type GenerateNext, type RequestContext } from "@keel/spec";
import { createTelemetry } from "../src/index.ts";

const count = Number(process.argv[2] ?? 50_000);
const target = "openai/gpt-4o-mini";
const usage = { promptTokens: 12, completionTokens: 30, totalTokens: 42 };
const generation: Generation = {
  id: "gen-1",
  content: "Hello there.",
  model: "gpt-4o-mini",
  provider: "openai",
  cache: "miss",
  fallback: { failed: [], answeredBy: target },
  attempts: 1,
  usage,
  costUsd: 0.0021,
  latencyMs: 1,
  finishReason: "stop",
  safety: { input: [], output: [] },
};
const request: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], temperature: 0 };
const inner: GenerateNext = async (_request, ctx) => {
  ctx.events.emit({ type: "upstream-request", target });
  ctx.events.emit({ type: "upstream-response", target, durationMs: 1, usage });
  return generation;
};
const tenants = ["acme", "globex", "initech", "default"];
const contexts: RequestContext[] = tenants.map((tenant) => ({
  requestId: "req",
  tenant,
  operation: "generate",
  deadline: Number.MAX_SAFE_INTEGER,
  signal: new AbortController().signal,
  events: noopEventSink,
}));

async function measure(label: string, call: (ctx: RequestContext) => Promise<Generation>): Promise<number> {
  for (let index = 0; index < 5_000; index++) await call(contexts[index & 3]!);
  globalThis.gc?.();
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) await call(contexts[index & 3]!);
  const microseconds = Number(process.hrtime.bigint() - started) / 1_000 / count;
  console.log(`${label.padEnd(44)} ${microseconds.toFixed(2).padStart(7)} µs/request`);
  return microseconds;
}

const discard = { write() {} };
const logging = createTelemetry({ log: { destination: discard }, alerts: { evaluateEveryMs: 0 } });
const quiet = createTelemetry({ log: { destination: discard, level: "warn" }, alerts: { evaluateEveryMs: 0 } });
const loggingMiddleware = logging.middleware();
const quietMiddleware = quiet.middleware();

console.log(
  `telemetry middleware overhead, ${count.toLocaleString("en")} sequential requests, Node ${process.version}`,
);
const off = await measure("off (inner model called directly)", (ctx) => inner(request, ctx));
const on = await measure("on (metrics, snapshot, ledger, alerts, log)", (ctx) =>
  loggingMiddleware.wrapGenerate!({ request, ctx, next: inner }),
);
const onQuiet = await measure("on, without the per-request log line", (ctx) =>
  quietMiddleware.wrapGenerate!({ request, ctx, next: inner }),
);
console.log(
  `telemetry adds ${(on - off).toFixed(2)} µs/request (${(on / off).toFixed(1)}x the bare call); ${(onQuiet - off).toFixed(2)} µs without the log line`,
);
const snapshot = logging.snapshot();
if (snapshot.overall["1m"].requests === 0) throw new Error("telemetry recorded nothing");
await Promise.all([logging.close(), quiet.close()]);
