/**
 * Same-process A/B of the providers' direct stream (`createDirectStreamCall`): this
 * checkout's against a copy's from before a change (BENCH_BASELINE=label=dir, a checkout
 * with node_modules), over the same mock upstream (its own process, 0 ms gaps), alternating
 * rounds, CPU time of this process per stream read to its end. What it isolates: the
 * upstream read (request, SSE decoding, JSON per chunk, the iterator), nothing of the pipeline.
 *
 *   BENCH_BASELINE=before=/tmp/keel-before node --import tsx bench/src/stream/direct-stream-ab.ts
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort, startNodeProcess } from "@keel/testkit";
import { parseBaselines } from "../baselines.ts";
import { repoRoot } from "../repo-root.ts";

type StreamCall = (body: object, signal: AbortSignal) => Promise<AsyncIterable<unknown>>;
type Factory = (options: { baseURL: string; apiKey: string }) => StreamCall | undefined;

const streams = Number(process.env.BENCH_STREAMS ?? 2_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const chunks = Number(process.env.BENCH_CHUNKS ?? 8);
const port = await freePort();
const upstream = await startNodeProcess({
  cwd: repoRoot,
  name: "upstream",
  entry: "bench/src/stream/mock-upstream.ts",
  args: ["--port", String(port), "--chunks", String(chunks), "--gap-ms", "0"],
  readyUrl: `http://127.0.0.1:${port}/_sim/health`,
});
const copies = [{ label: "this", root: repoRoot }, ...parseBaselines(process.env.BENCH_BASELINE)];
const calls = new Map<string, StreamCall>();
for (const copy of copies) {
  const module = (await import(pathToFileURL(join(copy.root, "packages/providers/src/direct-stream.ts")).href)) as {
    createDirectStreamCall: Factory;
  };
  const call = module.createDirectStreamCall({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "bench" });
  if (!call) throw new Error(`${copy.label}: no direct stream`);
  calls.set(copy.label, call);
}
const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true };
const cpu = new Map<string, number[]>(copies.map((copy) => [copy.label, []]));

async function run(call: StreamCall, count: number): Promise<number> {
  const started = process.cpuUsage();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const events = await call(body, new AbortController().signal);
      for await (const _chunk of events);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / count;
}

try {
  for (const call of calls.values()) await run(call, 500);
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? copies : [...copies].reverse();
    for (const copy of order) cpu.get(copy.label)?.push(await run(calls.get(copy.label) as StreamCall, streams));
  }
  console.log(`direct stream, ${chunks} content chunks, ${streams} streams × ${rounds} rounds, CPU ms per stream:`);
  for (const [label, figures] of cpu) {
    const sorted = [...figures].sort((left, right) => left - right);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    console.log(
      `${label.padEnd(8)} median ${median.toFixed(3)}  rounds ${figures.map((value) => value.toFixed(3)).join(" ")}`,
    );
  }
} finally {
  await upstream.stop();
}
