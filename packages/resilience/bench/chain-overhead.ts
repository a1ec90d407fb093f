/**
 * Per-request cost of the resilience layer alone: a two-target fallback chain whose
 * targets run the whole policy stack (retry, breaker, concurrency limit, attempt timeout
 * with first-token and idle clocks) around an in-memory model that answers at once. No
 * network, no other package: what is left is the chain's and the policies' own work.
 * Sequential, in one process; prints wall and CPU time per generation and per stream.
 *
 *   pnpm --filter @keel/resilience bench            (100,000 generations, 50,000 streams)
 *   pnpm --filter @keel/resilience bench -- 20000
 */
import type { ChatRequest, Generation, Model, RequestContext, StreamEvent } from "@keel/spec";
import { createFallbackChain, createResilience } from "../src/index.ts";

const count = Number(process.argv[2] ?? 100_000);
const generation: Generation = {
  id: "gen-1",
  content: "abc",
  model: "gpt-4o-mini",
  provider: "openai",
  cache: "miss",
  fallback: { failed: [], answeredBy: null },
  attempts: 1,
  usage: { promptTokens: 1, completionTokens: 3, totalTokens: 4 },
  costUsd: 0,
  latencyMs: 0,
  finishReason: "stop",
  safety: { input: [], output: [] },
};
const model: Model = {
  generate: async () => generation,
  async *stream() {
    for (const content of ["a", "b", "c"]) yield { type: "delta", content } satisfies StreamEvent;
    yield { type: "done", generation };
  },
};
const resilience = createResilience();
const policy = {
  timeout: { attemptMs: 10_000, firstTokenMs: 5_000, idleMs: 5_000 },
  concurrency: { maxConcurrent: 1_000, maxQueue: 1_000 },
};
const chain = createFallbackChain({
  targets: ["openai/gpt-4o-mini", "openai/gpt-4.1-mini"].map((name) => ({
    name,
    model: resilience.target({ name, model, policy }),
  })),
});
const request: ChatRequest = { model: "chat", messages: [{ role: "user", content: "Hi" }] };
// One long-lived signal, as a service's request signal: links to it must not pile up.
const signal = new AbortController().signal;
const context = (): RequestContext => ({
  requestId: "request-1",
  tenant: "default",
  operation: "generate",
  deadline: Date.now() + 30_000,
  signal,
  events: { emit() {} },
});

async function measure(label: string, runs: number, run: () => Promise<unknown>): Promise<void> {
  for (let index = 0; index < runs / 10; index += 1) await run(); // warm-up
  const cpuBefore = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  for (let index = 0; index < runs; index += 1) await run();
  const wallUs = Number(process.hrtime.bigint() - startedAt) / 1_000 / runs;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUs = (cpu.user + cpu.system) / runs;
  console.log(`${label.padEnd(10)} ${wallUs.toFixed(2)} µs wall  ${cpuUs.toFixed(2)} µs CPU  per request (${runs})`);
}

await measure("generate", count, () => chain.generate(request, context()));
await measure("stream", Math.round(count / 2), async () => {
  for await (const event of chain.stream(request, context())) if (event.type === "done") return;
});
resilience.close();
