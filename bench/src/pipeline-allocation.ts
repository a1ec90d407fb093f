/**
 * Bytes allocated on the V8 heap per pipeline call, for one built tree (this one, or the
 * root given as the first argument): the embedded default config against the mock
 * upstream, BENCH_ALLOC_WARMUP calls, then BENCH_ALLOC_CALLS calls, 4 in flight, each a
 * unique temperature-0 message (a miss). Run it under `--trace-gc-nvp` and pass its output
 * through this script's summary line: V8 prints `allocated=` per collection, so what the
 * measured calls allocated is the sum over the collections between the two markers.
 *
 *   node --conditions=keel-dist --trace-gc-nvp --import tsx bench/src/pipeline-allocation.ts [root] \
 *     | awk '/^alloc-start/{on=1} /^alloc-end/{print "bytes per call", sum/$2; on=0} on && match($0,/allocated=[0-9]+/){sum+=substr($0,RSTART+10,RLENGTH-10)}'
 *
 * Log lines go to stdout too (one per call); only the markers and V8's lines are read.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./repo-root.ts";
import { startUpstream } from "./request-path-processes.ts";
import { uniqueMessage } from "./request-targets.ts";

const root = process.argv[2] ?? repoRoot;
const warmup = Number(process.env.BENCH_ALLOC_WARMUP ?? 2_000);
const calls = Number(process.env.BENCH_ALLOC_CALLS ?? 4_000);

const upstream = await startUpstream({ cpu: undefined });
const core = (await import(pathToFileURL(join(root, "packages/core/dist/index.js")).href)) as {
  loadConfig: (env: Record<string, string>) => unknown;
  createPipeline: (config: unknown) => {
    generate(request: unknown, options: { service: string }): Promise<unknown>;
    close(): Promise<void>;
  };
};
const pipeline = core.createPipeline(
  core.loadConfig({ NODE_ENV: "production", OPENAI_API_KEY: "bench", OPENAI_BASE_URL: `${upstream.origin}/v1` }),
);
try {
  await run(warmup);
  // BENCH_ALLOC_PROFILE=file: V8's sampling heap profile of the measured calls, collected objects included.
  const profileFile = process.env.BENCH_ALLOC_PROFILE;
  const session = profileFile === undefined ? undefined : new Session();
  session?.connect();
  await session?.post("HeapProfiler.startSampling", {
    samplingInterval: 4_096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.stdout.write("alloc-start\n");
  await run(calls);
  process.stdout.write(`alloc-end ${calls}\n`);
  if (session !== undefined && profileFile !== undefined) {
    const { profile } = await session.post("HeapProfiler.stopSampling");
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
} finally {
  await pipeline.close();
  await upstream.process.stop();
}

async function run(count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await pipeline.generate(
        { model: "gpt-4o-mini", messages: [{ role: "user", content: uniqueMessage() }], temperature: 0 },
        { service: "bench" },
      );
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}
