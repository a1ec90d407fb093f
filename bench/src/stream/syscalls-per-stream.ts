/**
 * System calls per stream of the tRPC and OpenAI-compatible services (this checkout's and
 * the copies' in BENCH_BASELINE), counted by `strace -c` attached for exactly
 * BENCH_STREAMS closed-loop streams after a warm-up: a figure a shared machine's load does
 * not move, for cuts that save writes or reads. Needs `strace` and ptrace rights.
 *
 *   BENCH_BASELINE=before=/tmp/keel-before node --import tsx bench/src/stream/syscalls-per-stream.ts
 */
import { streamServiceEnv } from "./service-env.ts";
import { spawn } from "node:child_process";
import { freePort, startNodeProcess, type NodeProcess } from "@keel/testkit";
import { parseBaselines } from "../baselines.ts";
import { repoRoot } from "../repo-root.ts";
import { generateBenchKey } from "./bench-key.ts";
import { openAiAppEntry, openAiTarget, trpcTarget, type StreamTarget } from "./stream-targets.ts";

const streams = Number(process.env.BENCH_STREAMS ?? 300);
const concurrency = 4;
const upstreamPort = await freePort();
const key = generateBenchKey();
const auth = { authorization: `Bearer ${key}` };
const processes: NodeProcess[] = [];
try {
  processes.push(
    await startNodeProcess({
      cwd: repoRoot,
      name: "upstream",
      entry: "bench/src/stream/mock-upstream.ts",
      args: ["--port", String(upstreamPort), "--chunks", "8", "--gap-ms", "5"],
      readyUrl: `http://127.0.0.1:${upstreamPort}/_sim/health`,
    }),
  );
  for (const { label, root } of [{ label: "current", root: repoRoot }, ...parseBaselines(process.env.BENCH_BASELINE)]) {
    const [trpcPort, graphqlPort, openAiPort] = [await freePort(), await freePort(), await freePort()];
    const env = streamServiceEnv({
      ports: { upstream: upstreamPort, trpc: trpcPort, graphql: graphqlPort, openAi: openAiPort },
      dataDirPrefix: "keel-bench-syscalls-",
      adminKey: key,
    });
    const services: Array<{ name: string; entry: string | undefined; port: number; target: StreamTarget }> = [
      { name: "trpc", entry: "apps/trpc/src/main.ts", port: trpcPort, target: trpcTarget(trpcPort, auth) },
      { name: "openai", entry: openAiAppEntry(root), port: openAiPort, target: openAiTarget(openAiPort, auth) },
    ];
    for (const service of services) {
      if (service.entry === undefined) continue;
      const started = await startNodeProcess({
        cwd: root,
        name: `${service.name}@${label}`,
        entry: service.entry,
        env,
        readyUrl: `http://127.0.0.1:${service.port}/healthz`,
        readyTimeoutMs: 90_000,
      });
      processes.push(started);
      await run(service.target, 200);
      const counts = await counted(started.child.pid as number, () => run(service.target, streams));
      const per = (...names: string[]) =>
        (names.reduce((sum, name) => sum + (counts.get(name) ?? 0), 0) / streams).toFixed(2);
      console.error(
        `${`${service.name}@${label}`.padEnd(16)} per stream: write ${per("write")}, writev ${per("writev")}, ` +
          `both ${per("write", "writev")}, read ${per("read")}, epoll ${per("epoll_wait", "epoll_pwait")}, ` +
          `all ${per("total")}`,
      );
      service.target.close();
    }
  }
} finally {
  await Promise.allSettled(processes.map((started) => started.stop()));
}

/** `count` streams, `concurrency` at once; throws unless each ended ok. */
async function run(target: StreamTarget, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const outcome = await target.call();
      if (!outcome.ok) throw new Error(`${target.name}: a stream failed (${outcome.failure ?? "no reason"})`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The system calls of every thread of `pid` while `work` runs (strace -c), by name, plus `total`. */
async function counted(pid: number, work: () => Promise<void>): Promise<Map<string, number>> {
  const tracer = spawn("strace", ["-c", "-f", "-p", String(pid)], { stdio: ["ignore", "ignore", "pipe"] });
  let report = "";
  tracer.stderr.on("data", (part: Buffer) => {
    report += part.toString();
  });
  // Time for strace to attach to the process's threads.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await work();
  const exited = new Promise((resolve) => tracer.once("exit", resolve));
  tracer.kill("SIGINT");
  await exited;
  const counts = new Map<string, number>();
  for (const line of report.split("\n")) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 5 || !/^\d/.test(columns[0] ?? "")) continue;
    const name = columns[columns.length - 1] as string;
    const calls = Number(columns[3]);
    counts.set(name, calls);
  }
  return counts;
}
