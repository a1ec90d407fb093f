import { KeelError, type Generation, type Model, type RequestContext } from "@keel/spec";
import { createFallbackChain, createResilience, staticFallbackMiddleware } from "@keel/resilience";

// Normally providers from @keel/providers; any Model works.
const answer: Generation = {
  id: "g1",
  content: "Hello!",
  model: "gpt-4o",
  provider: "openai",
  cache: "miss",
  fallback: { failed: [], answeredBy: null },
  attempts: 1,
  usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
  costUsd: 0,
  latencyMs: 5,
  finishReason: "stop",
  safety: { input: [], output: [] },
};
const flaky: Model = {
  generate: async () => {
    throw new KeelError("UPSTREAM_RATE_LIMITED", "slow down", { status: 429 });
  },
  // biome-ignore lint/correctness/useYield: a stream that fails before its first chunk
  stream: async function* () {
    throw new KeelError("UPSTREAM_UNAVAILABLE", "down", { status: 503 });
  },
};
const steady: Model = {
  generate: async () => answer,
  stream: async function* () {
    yield { type: "done", generation: answer };
  },
};

const resilience = createResilience({ events: { emit: (event) => console.log(event) } }); // breaker state changes
const chain = createFallbackChain({
  targets: [
    {
      name: "openai/gpt-4o-mini",
      model: resilience.target({
        name: "openai/gpt-4o-mini",
        model: flaky,
        policy: { timeout: { attemptMs: 20_000, firstTokenMs: 5_000, idleMs: 10_000 } },
      }),
    },
    { name: "openai/gpt-4o", model: resilience.target({ name: "openai/gpt-4o", model: steady }) },
  ],
  rules: { rateLimited: "next", contextLength: { target: "openai/gpt-4o" } },
  hedging: { afterMs: 2_000 }, // only for requests with idempotent: true
});

// Core builds the ctx: one deadline for the whole request, a signal that aborts at it or on disconnect.
const ctx: RequestContext = {
  requestId: "r1",
  tenant: "default",
  operation: "generate",
  deadline: Date.now() + 30_000,
  signal: AbortSignal.timeout(30_000),
  events: { emit: console.log },
};
const generation = await chain.generate({ model: "chat", messages: [{ role: "user", content: "Hi" }] }, ctx);
console.log(generation.fallback); // { failed: [{ target: "openai/gpt-4o-mini", code: "UPSTREAM_RATE_LIMITED", ... }], answeredBy: "openai/gpt-4o" }
console.log(generation.attempts); // 2: every upstream call, retries and fallback targets included

// The last resort when every target failed (core puts it outside the caches):
const lastResort = staticFallbackMiddleware({ answers: { chat: "We are busy; please try again in a minute." } });
const busy = await lastResort.wrapGenerate!({
  request: { model: "chat", messages: [{ role: "user", content: "Hi" }] },
  ctx,
  next: () => flaky.generate({ model: "chat", messages: [] }, ctx),
});
console.log(busy.content, busy.fallback.degraded); // We are busy; please try again in a minute. static
resilience.close(); // on shutdown: stops the breakers' timers
