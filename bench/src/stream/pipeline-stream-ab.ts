/**
 * CPU per stream of the pipeline's stream alone, before and after a change, in one process:
 * core's `createPipeline` (embedded default config: telemetry on, default safety policy,
 * cache bypassed per request) of this checkout and of the copies in BENCH_BASELINE
 * (`label=dir`, checkouts with node_modules; their sources run under tsx), each stream read
 * to its end through core's endable stream, as every transport reads it. The upstream is
 * the stream bench's mock (its own process, BENCH_CHUNKS content chunks `BENCH_GAP_MS`
 * apart, so each chunk arrives in a socket read of its own, as in the services). Rounds
 * alternate the copies; the figure is the median over rounds of this process's CPU per
 * stream. Two chunk counts give the fixed and the per-chunk cost. No transport is measured.
 *
 *   BENCH_BASELINE=before=/tmp/keel-before node --import tsx bench/src/stream/pipeline-stream-ab.ts > /dev/null
 *
 * Log lines go to stdout (send it to /dev/null); results go to stderr.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freePort, startNodeProcess } from "@keel/testkit";
import { parseBaselines } from "../baselines.ts";
import { repoRoot } from "../repo-root.ts";

interface StreamEventLike {
  type: string;
}
interface Contender {
  label: string;
  open: () => AsyncIterableIterator<StreamEventLike>;
  close: () => Promise<void>;
  samples: number[];
}

const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 8);
const streams = Number(process.env.BENCH_AB_STREAMS ?? 400);
const concurrency = Number(process.env.BENCH_AB_CONCURRENCY ?? 16);
const chunks = Number(process.env.BENCH_CHUNKS ?? 32);
const gapMs = Number(process.env.BENCH_GAP_MS ?? 1);
const port = await freePort();
const upstream = await startNodeProcess({
  cwd: repoRoot,
  name: "upstream",
  entry: "bench/src/stream/mock-upstream.ts",
  args: ["--port", String(port), "--chunks", String(chunks), "--gap-ms", String(gapMs)],
  readyUrl: `http://127.0.0.1:${port}/_sim/health`,
});
const copies = [{ label: "current", root: repoRoot }, ...parseBaselines(process.env.BENCH_BASELINE)];
const contenders: Contender[] = [];
try {
  for (const { label, root } of copies) {
    const core = (await import(pathToFileURL(join(root, "packages/core/src/index.ts")).href)) as {
      loadConfig: (env: Record<string, string>) => unknown;
      createPipeline: (config: unknown) => {
        stream: (request: object, options: object) => AsyncIterable<StreamEventLike>;
        close(): Promise<void>;
      };
      createEndableStream: (options: {
        open: (signal: AbortSignal) => AsyncIterable<StreamEventLike>;
        track: () => () => void;
      }) => AsyncIterableIterator<StreamEventLike>;
    };
    const pipeline = core.createPipeline(
      core.loadConfig({
        NODE_ENV: "production",
        OPENAI_API_KEY: "bench",
        OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
      }),
    );
    const request = {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "tell me about the old lighthouse" }],
      cache: { mode: "bypass" },
    };
    contenders.push({
      label,
      open: () =>
        core.createEndableStream({
          open: (signal) => pipeline.stream(request, { service: "bench", signal }),
          track: () => () => {},
        }),
      close: () => pipeline.close(),
      samples: [],
    });
  }
  for (const contender of contenders) await runStreams(contender, Math.max(200, streams / 2));
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < contenders.length; offset++) {
      const contender = contenders[(round + offset) % contenders.length] as Contender;
      const before = process.cpuUsage();
      await runStreams(contender, streams);
      const used = process.cpuUsage(before);
      contender.samples.push((used.user + used.system) / 1000 / streams);
    }
  }
  const base = contenders[0] as Contender;
  for (const contender of contenders) {
    const change = contender === base ? "" : `  current is ${pairedChange(base, contender)}`;
    console.error(
      `${contender.label.padEnd(10)} ${median(contender.samples).toFixed(3)} ms/stream (${chunks} chunks) ` +
        `rounds ${contender.samples.map((value) => value.toFixed(3)).join(" ")}${change}`,
    );
  }
} finally {
  await Promise.allSettled(contenders.map((contender) => contender.close()));
  await upstream.stop();
}

/** `count` streams read to their end, `concurrency` at once; throws unless each ended with `done`. */
async function runStreams(contender: Contender, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      let last: StreamEventLike | undefined;
      for await (const event of contender.open()) last = event;
      if (last?.type !== "done") throw new Error(`${contender.label}: a stream ended with ${JSON.stringify(last)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The change from `other` to `current`, as the median of the rounds' own ratios (pairs ran a second apart). */
function pairedChange(current: Contender, other: Contender): string {
  const ratios = other.samples.map((value, round) => ((current.samples[round] ?? value) / value - 1) * 100);
  return `${median(ratios).toFixed(1)} % (paired by round)`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
