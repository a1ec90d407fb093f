/**
 * Throughput of the simulator for small non-streaming chat completions (or streams with
 * --stream). The simulator runs in a child process, so it has a core of its own and its
 * CPU time can be read from /proc; this process is the load generator. Loopback only,
 * bounded in count and time.
 *
 *   pnpm --filter @keel/simulator bench [--requests 20000] [--seconds 15]
 *     [--concurrency 32] [--rate N (open loop)] [--prompts 100] [--stream]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus } from "node:os";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "20000" },
    seconds: { type: "string", default: "15" },
    concurrency: { type: "string", default: "32" },
    rate: { type: "string" },
    prompts: { type: "string", default: "100" },
    stream: { type: "boolean", default: false },
  },
});
const total = Number(values.requests);
const maxMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const bodies = Array.from({ length: Number(values.prompts) }, (_, index) =>
  JSON.stringify({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: `Question ${index}: what does Keel do for retries?` },
    ],
    stream: values.stream,
  }),
);

const server = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "--port", "0"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise<URL>((resolve, reject) => {
  server.stdout.setEncoding("utf8");
  server.stdout.on("data", (text: string) => {
    const match = /listening on (\S+)/.exec(text);
    if (match !== null) resolve(new URL(`${match[1]}/chat/completions`));
  });
  server.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function send(index: number): Promise<void> {
  const body = bodies[index % bodies.length]!;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (incoming) => {
        if (incoming.statusCode !== 200) reject(new Error(`status ${incoming.statusCode}`));
        incoming.resume();
        incoming.once("end", resolve);
      },
    );
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

function serverCpuMs(): number {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 per second)
  return ticks * 10;
}

async function closedLoop(count: number): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + maxMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      const index = next++;
      const started = performance.now();
      await send(index);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

async function openLoop(count: number, perSecond: number): Promise<number[]> {
  const latencies: number[] = [];
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < count && performance.now() - started < maxMs; index++) {
    const scheduled = started + (index * 1000) / perSecond;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // Latency counts from the scheduled time, so a stall shows up instead of hiding.
    pending.push(send(index).then(() => void latencies.push(performance.now() - scheduled)));
  }
  await Promise.all(pending);
  return latencies;
}

function percentile(sorted: number[], fraction: number): string {
  return (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0).toFixed(2);
}

try {
  await closedLoop(Math.min(2000, total)); // warm-up: JIT, tokenizer caches, sockets
  const cpuBefore = serverCpuMs();
  const started = performance.now();
  const latencies = rate === undefined ? await closedLoop(total) : await openLoop(total, rate);
  const elapsedMs = performance.now() - started;
  const cpuMs = serverCpuMs() - cpuBefore;
  latencies.sort((left, right) => left - right);
  const mode = rate === undefined ? `closed loop, ${concurrency} in flight` : `open loop at ${rate} req/s`;
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
  console.log(`${values.stream ? "streamed" : "JSON"} chat completions, ${mode}, ${bodies.length} distinct prompts`);
  console.log(
    `requests: ${latencies.length} in ${(elapsedMs / 1000).toFixed(2)} s = ${Math.round((latencies.length * 1000) / elapsedMs)} req/s`,
  );
  console.log(
    `simulator CPU: ${cpuMs} ms = ${Math.round((latencies.length * 1000) / Math.max(cpuMs, 1))} req per CPU-second`,
  );
  console.log(
    `latency ms: p50 ${percentile(latencies, 0.5)}  p99 ${percentile(latencies, 0.99)}  max ${percentile(latencies, 1)}`,
  );
} finally {
  agent.destroy();
  server.kill("SIGTERM");
}
