import type { ChatRequest, GenerateNext, RequestContext } from "@keel/spec";
import { createTelemetry } from "@keel/telemetry";

const telemetry = createTelemetry({
  serviceName: "keel-trpc",
  // Defaults: the ledger in memory, the four alert rules without a webhook, no tracing. For more:
  //   ledger: { redisUrl: "redis://127.0.0.1:6379", keyPrefix: "keel" },
  //   alerts: { webhook: { url: "https://hooks.example/keel" } },
  //   tracing: { otlpEndpoint: "http://127.0.0.1:4318/v1/traces" },
});

// Outermost middleware of the pipeline (core folds it first). Here it wraps a stand-in
// for the rest of the pipeline, which reports what happened on ctx.events.
const middleware = telemetry.middleware();
const next: GenerateNext = async (request, ctx) => {
  ctx.events.emit({ type: "upstream-request", target: "openai/gpt-4o-mini" });
  const usage = { promptTokens: 12, completionTokens: 30, totalTokens: 42 };
  ctx.events.emit({ type: "upstream-response", target: "openai/gpt-4o-mini", durationMs: 250, usage });
  return {
    id: "g1",
    content: "Hello!",
    model: request.model,
    provider: "openai",
    cache: "miss",
    fallback: { failed: [], answeredBy: "openai/gpt-4o-mini" },
    attempts: 1,
    usage,
    costUsd: 0.0000198,
    latencyMs: 250,
    finishReason: "stop",
    safety: { input: [], output: [] },
  };
};
const request: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] };
const ctx: RequestContext = {
  requestId: "r1",
  tenant: "acme",
  operation: "generate",
  deadline: Date.now() + 30_000,
  signal: new AbortController().signal,
  events: { emit: () => {} },
};
await middleware.wrapGenerate!({ request, ctx, next }); // writes one log line: {"service":"keel-trpc","requestId":"r1",...}

// Breaker and health events that belong to no request go to the pipeline-level sink.
telemetry.events.emit({ type: "circuit-open", target: "openai/gpt-4o" });
telemetry.setBreakerStates(() => ({ "openai/gpt-4o-mini": "closed", "openai/gpt-4o": "open" })); // optional live source

// GET /metrics: serve this text with telemetry.metricsContentType.
const metrics = await telemetry.metricsText();
console.log(metrics.split("\n").find((line) => line.startsWith("gen_ai_client_token_usage_sum")));

console.log(telemetry.snapshot({ tenant: "acme" }).models["gpt-4o-mini"]?.["1m"].requests); // 1: a tenant's own per-model figures
console.log((await telemetry.usage({ tenant: "acme" })).totals.costUsd); // 0.0000198
console.log(telemetry.activeAlerts()); // [{ rule: "provider-availability", status: "firing", target: "openai/gpt-4o", ... }]
await telemetry.close();
