/**
 * CPU per semantic-cache miss (plan, embed, search, store, index), before and after a change,
 * in one process: the semantic cache middleware of this repository's built cache package
 * and of built copies (BENCH_BASELINE=label=dir,...), each over its own memory store, each
 * primed with BENCH_SEMANTIC_ENTRIES misses, then alternated in rounds of
 * BENCH_SEMANTIC_MISSES misses (unique messages, as bench:overhead sends); medians over rounds.
 * BENCH_SEMANTIC_PROMPTS=templated sends near-identical prompts instead ("Summarise ticket
 * number 17 for the billing team."), alike but for the number: the sign-code filter's worst
 * case. BENCH_SEMANTIC_CAP raises the index's caps (default 10,000 per tenant namespace) to
 * measure larger indexes; the default cap is what a service runs with.
 *
 *   pnpm build && node --conditions=keel-dist --import tsx bench/src/semantic-miss-ab.ts
 *   BENCH_BASELINE=before=/tmp/keel-before BENCH_SEMANTIC_PROMPTS=templated node --conditions=keel-dist --import tsx bench/src/semantic-miss-ab.ts
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { noopEventSink, type Generation, type Middleware, type RequestContext } from "@keel/spec";
import { parseBaselines } from "./baselines.ts";
import { repoRoot } from "./repo-root.ts";
import { uniqueMessage } from "./request-targets.ts";

const entries = Number(process.env.BENCH_SEMANTIC_ENTRIES ?? 5_000);
const misses = Number(process.env.BENCH_SEMANTIC_MISSES ?? 500);
const rounds = Number(process.env.BENCH_SEMANTIC_ROUNDS ?? 16);
const templated = process.env.BENCH_SEMANTIC_PROMPTS === "templated";
/** The templated prompts' running number (declared before the top-level awaits that use it). */
let ticket = 0;
const cap = process.env.BENCH_SEMANTIC_CAP === undefined ? undefined : Number(process.env.BENCH_SEMANTIC_CAP);
const roots = [
  { label: "current", root: repoRoot },
  ...parseBaselines(process.env.BENCH_BASELINE).map(({ label, root }) => ({ label, root })),
];

const answer: Generation = {
  id: "bench",
  content: "A harbour lantern glows over the granite tide.",
  model: "gpt-4o-mini",
  provider: "simulator",
  cache: "miss",
  fallback: { failed: [], answeredBy: "simulator/gpt-4o-mini" },
  safety: { input: [], output: [] },
  attempts: 1,
  usage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
  costUsd: 0.00001,
  latencyMs: 1,
  finishReason: "stop",
};
const ctx: RequestContext = {
  requestId: "bench",
  tenant: "default",
  operation: "generate",
  deadline: Number.MAX_SAFE_INTEGER,
  signal: new AbortController().signal,
  events: noopEventSink,
};

interface Contender {
  label: string;
  middleware: Middleware;
  samples: number[];
}
const contenders: Contender[] = [];
for (const { label, root } of roots) {
  const cache = (await import(pathToFileURL(join(root, "packages/cache/dist/index.js")).href)) as {
    createMemoryStore: (options?: { maxEntries?: number; maxBytes?: number }) => unknown;
    semanticCacheMiddleware: (options: {
      store: unknown;
      maxEntries?: number;
      maxEntriesPerNamespace?: number;
    }) => Middleware & { ready: Promise<number> };
  };
  // The memory store's own cap (10,000 entries) would evict first: raised with the index's.
  const store = cache.createMemoryStore(cap ? { maxEntries: cap * 2, maxBytes: cap * 16_384 } : undefined);
  const middleware = cache.semanticCacheMiddleware({ store, maxEntries: cap, maxEntriesPerNamespace: cap });
  await middleware.ready;
  contenders.push({ label, middleware, samples: [] });
}
for (const contender of contenders) await miss(contender, entries);
for (let round = 0; round < rounds; round++) {
  for (let offset = 0; offset < contenders.length; offset++) {
    const contender = contenders[(round + offset) % contenders.length] as Contender;
    const before = process.cpuUsage();
    await miss(contender, misses);
    const used = process.cpuUsage(before);
    contender.samples.push((used.user + used.system) / misses);
  }
}
const current = median(contenders[0]?.samples ?? []);
for (const contender of contenders) {
  const value = median(contender.samples);
  const change = contender === contenders[0] ? "" : `  current is ${(((current - value) / value) * 100).toFixed(1)} %`;
  console.log(
    `semantic miss ${contender.label.padEnd(10)} ${value.toFixed(1)} µs CPU median over ${rounds} rounds${change}`,
  );
}
console.log(
  `index primed with ${entries} ${templated ? "templated" : "generated"} misses per contender (growing by ${misses * rounds}` +
    ` over the run, up to the cap of ${cap ?? 10_000})`,
);

async function miss(contender: Contender, count: number): Promise<void> {
  const wrap = contender.middleware.wrapGenerate;
  if (!wrap) throw new Error("the semantic cache has no wrapGenerate");
  for (let index = 0; index < count; index++) {
    const request = {
      model: "gpt-4o-mini",
      messages: [{ role: "user" as const, content: templated ? templatedMessage() : uniqueMessage() }],
      temperature: 0,
    };
    const generation = await wrap.call(contender.middleware, { request, ctx, next: async () => answer });
    if (generation.cache !== "miss") throw new Error(`${contender.label}: expected a miss, got ${generation.cache}`);
  }
}

/** Near-identical messages: every one is close to every stored one (cosine ~0.9), but for its number. */
function templatedMessage(): string {
  ticket += 1;
  return `Summarise ticket number ${ticket} for the billing team.`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
