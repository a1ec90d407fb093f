/**
 * Idle memory of each service (issue 14): starts the built tRPC and GraphQL services the way
 * `bench:overhead` does (plain node on `pnpm build`'s output, NODE_ENV=production, the
 * embedded default config, pointed at the mock upstream), lets each settle without a request,
 * and reports its RSS, then its RSS and V8 heap after a full gc, and which packages it loaded.
 *
 *   pnpm build && pnpm --filter @keel/bench bench:idle
 *   BENCH_IDLE_RUNS=5 BENCH_GATEWAYS=trpc pnpm --filter @keel/bench bench:idle
 *   BENCH_IDLE_BASELINE=/tmp/keel-before pnpm --filter @keel/bench bench:idle   # and a built copy from before a change
 *
 * Memory runs and the module-list run are separate starts: the module list needs an ESM
 * resolve hook, whose loader thread costs memory of its own.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { processMemoryMiB } from "./process-memory.ts";
import { startGateway, startUpstream, type GatewayKind } from "./request-path-processes.ts";

const settings = {
  gateways: (process.env.BENCH_GATEWAYS ?? "trpc,graphql").split(",") as GatewayKind[],
  runs: Number(process.env.BENCH_IDLE_RUNS ?? 3),
  /** How long a started service sits idle before it is measured. */
  settleMs: Number(process.env.BENCH_IDLE_SETTLE_MS ?? 3_000),
  /** A built copy of the repository from before a change: its services run as "<kind>-before" in the same rounds. */
  baseline: process.env.BENCH_IDLE_BASELINE || undefined,
};

/** One service to measure: a kind, from this repository or the baseline copy. */
interface Contender {
  label: string;
  kind: GatewayKind;
  root?: string;
}

interface ProbeReport {
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  cjsFiles: string[];
  esmFiles: string[];
  builtins: number;
}

interface IdleSample {
  rssMiB: number;
  report: ProbeReport;
}

const workDirectory = mkdtempSync(join(tmpdir(), "keel-idle-"));
// The probe reads these from the environment the services inherit.
process.env.KEEL_IDLE_PROBE_DIR = workDirectory;
const probe = new URL("./idle-memory-probe.mjs", import.meta.url).pathname;
const mib = (bytes: number) => bytes / 1024 / 1024;

async function measureOnce(contender: Contender, upstreamPort: number, withModules: boolean): Promise<IdleSample> {
  process.env.KEEL_IDLE_PROBE_MODULES = withModules ? "1" : "0";
  const gateway = await startGateway(contender.kind, {
    name: contender.label,
    ...(contender.root ? { root: contender.root } : {}),
    upstreamPort,
    cpu: undefined,
    build: "dist",
    nodeArgs: ["--expose-gc", "--import", probe],
    workDirectory,
  });
  const managed = gateway.processes[0];
  const pid = managed?.child.pid;
  try {
    await sleep(settings.settleMs);
    const rssMiB = processMemoryMiB(pid).rss;
    managed?.child.kill("SIGUSR2");
    const reportFile = join(workDirectory, `${pid}.json`);
    for (let waited = 0; !existsSync(reportFile) && waited < 10_000; waited += 50) await sleep(50);
    // The probe writes the file in one synchronous call; a moment more and it is complete.
    await sleep(50);
    return { rssMiB, report: JSON.parse(readFileSync(reportFile, "utf8")) as ProbeReport };
  } finally {
    await managed?.stop();
  }
}

/** The package a loaded file belongs to: the npm package after the last node_modules/, or the workspace. */
function packageOf(path: string): string {
  const modules = path.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const parts = path.slice(modules + "/node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  }
  const workspace = /\/(packages|apps|tooling|bench)\/([^/]+)\//.exec(path);
  return workspace ? `@keel/${workspace[2]}` : path;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const upstream = await startUpstream({ cpu: undefined });
try {
  console.log(`idle memory, median of ${settings.runs} starts, ${settings.settleMs} ms idle (MiB)`);
  console.log("service        rss-idle  rss-after-gc  heapTotal  heapUsed  external  arrayBuffers");
  const contenders: Contender[] = settings.gateways.flatMap((kind) => [
    { label: kind, kind },
    ...(settings.baseline ? [{ label: `${kind}-before`, kind, root: settings.baseline }] : []),
  ]);
  const samples = new Map<string, IdleSample[]>();
  // Rotated: one start of each service per round, so a busy moment of the machine hits all alike.
  for (let round = 0; round < settings.runs; round++) {
    for (const contender of contenders) {
      const sample = await measureOnce(contender, upstream.port, false);
      samples.set(contender.label, [...(samples.get(contender.label) ?? []), sample]);
    }
  }
  for (const { label } of contenders) {
    const runs = samples.get(label) ?? [];
    const after = (field: keyof NodeJS.MemoryUsage) => median(runs.map((run) => mib(run.report.after[field])));
    const cells = [
      median(runs.map((run) => run.rssMiB)),
      after("rss"),
      after("heapTotal"),
      after("heapUsed"),
      after("external"),
      after("arrayBuffers"),
    ];
    console.log(`${label.padEnd(14)} ${cells.map((cell) => cell.toFixed(1).padStart(9)).join(" ")}`);
  }
  for (const contender of contenders) {
    const { report } = await measureOnce(contender, upstream.port, true);
    const counts = new Map<string, number>();
    for (const file of new Set([...report.cjsFiles, ...report.esmFiles])) {
      const name = packageOf(file);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const listed = [...counts].sort((left, right) => right[1] - left[1]);
    const files = listed.reduce((sum, [, count]) => sum + count, 0);
    console.log(
      `\n${contender.label}: ${files} files from ${listed.length} packages, ${report.builtins} node built-ins`,
    );
    console.log(listed.map(([name, count]) => `${name} ${count}`).join(", "));
  }
} finally {
  await upstream.process.stop();
}
