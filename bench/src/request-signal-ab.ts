/**
 * CPU of a request's signals at the tRPC edge and the request scope, before and after
 * core's caller signal, in one process: "linked" is the edge's own AbortController handed
 * to the pipeline as `signal` (the scope links a child to it), "caller" is
 * `createCallerSignal()` (the scope takes it as is). Each round opens and disposes
 * BENCH_AB_CALLS scopes per variant; medians over rounds, alternating.
 *
 *   pnpm build && node --conditions=keel-dist --import tsx bench/src/request-signal-ab.ts
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./repo-root.ts";

type OpenScope = (options: {
  operation: string;
  call: { signal?: AbortSignal };
  defaultTimeoutMs: number;
  events: { emit(event: unknown): void };
}) => { ctx: { signal: AbortSignal }; dispose(): void };

const scopeModule = (await import(
  pathToFileURL(join(repoRoot, "packages/core/dist/pipeline/request-scope.js")).href
)) as {
  openRequestScope: OpenScope;
};
const callerModule = (await import(
  pathToFileURL(join(repoRoot, "packages/core/dist/pipeline/caller-signal.js")).href
)) as {
  createCallerSignal: () => { signal: AbortSignal; callerGone(): void };
};
const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 20);
const calls = Number(process.env.BENCH_AB_CALLS ?? 20_000);
const events = { emit() {} };

const variants = {
  linked: () => new AbortController().signal,
  caller: () => callerModule.createCallerSignal().signal,
};
const samples: Record<string, number[]> = { linked: [], caller: [] };
const run = (signalOf: () => AbortSignal, count: number) => {
  for (let index = 0; index < count; index++) {
    const scope = scopeModule.openRequestScope({
      operation: "generate",
      call: { signal: signalOf() },
      defaultTimeoutMs: 60_000,
      events,
    });
    // The provider reads the request's signal once per call.
    if (scope.ctx.signal.aborted) throw new Error("aborted");
    scope.dispose();
  }
};
for (const signalOf of Object.values(variants)) run(signalOf, calls);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (["linked", "caller"] as const) : (["caller", "linked"] as const);
  for (const name of order) {
    const before = process.cpuUsage();
    run(variants[name], calls);
    const used = process.cpuUsage(before);
    samples[name]?.push(((used.user + used.system) * 1000) / calls);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
for (const [name, values] of Object.entries(samples))
  console.log(`${name.padEnd(7)} ${(median(values) / 1000).toFixed(2)} µs per request (median of ${rounds} rounds)`);
