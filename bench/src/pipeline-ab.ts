/**
 * CPU per request of the pipeline alone, before and after a change, in one process: the
 * built core of this repository and of one or more built copies (BENCH_BASELINE, as for
 * bench:overhead's cost mode), each a pipeline of its own with the embedded default config
 * (telemetry on, default safety policy, exact and semantic cache on, every request a miss)
 * against the mock upstream in another process. Rounds alternate the pipelines (rotated
 * order), each a closed loop of BENCH_AB_REQUESTS calls, BENCH_AB_CONCURRENCY in flight;
 * the figure is the median over rounds of this process's CPU time per call. Switching every
 * second or so, rather than every few seconds between processes, lets a shared machine's
 * drift fall on every pipeline alike: the way to see a change of a few percent there.
 *
 *   pnpm build && node --conditions=keel-dist --import tsx bench/src/pipeline-ab.ts > /dev/null
 *   BENCH_BASELINE=before=/tmp/keel-before node --conditions=keel-dist --import tsx bench/src/pipeline-ab.ts > /dev/null
 *
 * Log lines go to stdout (send it to /dev/null, as the services' are in bench:overhead);
 * results go to stderr.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { hasTaskset } from "@keel/testkit";
import { pinThisProcess } from "./pin-this-process.ts";
import { parseBaselines } from "./baselines.ts";
import { repoRoot } from "./repo-root.ts";
import { startUpstream } from "./request-path-processes.ts";
import { uniqueMessage } from "./request-targets.ts";

interface Contender {
  label: string;
  generate: (request: unknown, options: { service: string }) => Promise<{ cache?: string }>;
  close: () => Promise<void>;
  samples: number[];
}

const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 20);
const requests = Number(process.env.BENCH_AB_REQUESTS ?? 300);
const concurrency = Number(process.env.BENCH_AB_CONCURRENCY ?? 4);
const warmup = Number(process.env.BENCH_AB_WARMUP ?? 2_000);
const roots = [
  { label: "current", root: repoRoot },
  ...parseBaselines(process.env.BENCH_BASELINE).map(({ label, root }) => ({ label, root })),
];

const pinned = hasTaskset() && pinThisProcess(0);
const upstream = await startUpstream({ cpu: pinned ? 1 : undefined });
const contenders: Contender[] = [];
try {
  for (const { label, root } of roots) {
    const core = (await import(pathToFileURL(join(root, "packages/core/dist/index.js")).href)) as {
      loadConfig: (env: Record<string, string>) => unknown;
      createPipeline: (config: unknown) => Contender & { close(): Promise<void> };
    };
    const pipeline = core.createPipeline(
      core.loadConfig({ NODE_ENV: "production", OPENAI_API_KEY: "bench", OPENAI_BASE_URL: `${upstream.origin}/v1` }),
    );
    contenders.push({
      label,
      generate: (request, options) => pipeline.generate(request, options),
      close: () => pipeline.close(),
      samples: [],
    });
  }
  for (const contender of contenders) await runCalls(contender, warmup);
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < contenders.length; offset++) {
      const contender = contenders[(round + offset) % contenders.length] as Contender;
      const before = process.cpuUsage();
      await runCalls(contender, requests);
      const used = process.cpuUsage(before);
      contender.samples.push((used.user + used.system) / 1000 / requests);
    }
  }
  for (const contender of contenders) {
    const value = median(contender.samples);
    const sorted = [...contender.samples].sort((a, b) => a - b);
    const change = contender === contenders[0] ? "" : `  current is ${pairedChange(contenders[0], contender)}`;
    console.error(
      `pipeline ${contender.label.padEnd(10)} cpu ${value.toFixed(3)} ms/call median over ${rounds} rounds of ${requests}` +
        ` (quartiles ${sorted[Math.floor(sorted.length / 4)]?.toFixed(3)}–${sorted[Math.floor((sorted.length * 3) / 4)]?.toFixed(3)})${change}`,
    );
  }
  console.error(`pinned ${pinned}, concurrency ${concurrency}, node ${process.version}`);
} finally {
  await Promise.allSettled(contenders.map((contender) => contender.close()));
  await upstream.process.stop();
}

/** `count` calls, `concurrency` in flight, each a unique temperature-0 message (a miss); throws unless every one missed. */
async function runCalls(contender: Contender, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const generation = await contender.generate(
        { model: "gpt-4o-mini", messages: [{ role: "user", content: uniqueMessage() }], temperature: 0 },
        { service: "bench" },
      );
      if (generation.cache !== "miss")
        throw new Error(`${contender.label}: expected a cache miss, got ${generation.cache}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * The change from `other` to `current` as the median of the rounds' own ratios, with their
 * quartiles: both ran in the same round, a second or two apart, so a machine whose load
 * swings between rounds (other engineers' tests) moves both sides of each pair alike.
 */
function pairedChange(current: Contender | undefined, other: Contender): string {
  const ratios = other.samples.map((value, round) => ((current?.samples[round] ?? value) / value - 1) * 100);
  const sorted = [...ratios].sort((a, b) => a - b);
  const quartile = (share: number) => sorted[Math.floor(sorted.length * share)]?.toFixed(1);
  return `${median(ratios).toFixed(1)} % (paired by round; quartiles ${quartile(0.25)}–${quartile(0.75)} %)`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
