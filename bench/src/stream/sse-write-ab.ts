/**
 * Same-process A/B of the ways to write one SSE event to a chunked HTTP response: this
 * process serves `GET /<variant>` streams of BENCH_CHUNKS events `BENCH_GAP_MS` apart, a
 * child process reads them (BENCH_AB_CONCURRENCY at once), and the figure is this
 * process's CPU per event, median over alternating rounds. What it isolates: the socket
 * write of an event and what Node does around it, nothing of the pipeline.
 *
 *   node --import tsx bench/src/stream/sse-write-ab.ts
 */
import { spawn } from "node:child_process";
import { createServer, get, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { writeSseFrame } from "@keel/core";

const chunks = Number(process.env.BENCH_CHUNKS ?? 32);
const gapMs = Number(process.env.BENCH_GAP_MS ?? 5);
const streams = Number(process.env.BENCH_AB_STREAMS ?? 400);
const concurrency = Number(process.env.BENCH_AB_CONCURRENCY ?? 8);
const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 6);

if (process.argv[2] === "--read") await read(process.argv[3] as string);
else await serve();

/** The child: `streams` GETs of one variant, `concurrency` at once, each read to its end. */
async function read(url: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < streams) {
      next += 1;
      await new Promise<void>((resolve, reject) => {
        get(url, (answer) => {
          answer.on("data", () => {});
          answer.on("end", resolve);
          answer.on("error", reject);
        }).on("error", reject);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function serve(): Promise<void> {
  const event = { type: "delta", content: "the old lighthouse " };
  const variants: Record<string, (response: ServerResponse, frame: string) => void> = {
    "response-write": (response, frame) => response.write(frame),
    "direct-frame": (response, frame) => writeSseFrame(response, frame),
    // The floor: the timer that paces the events and nothing written for them.
    "timer-only": () => {},
  };
  const server = createServer((request, response) => {
    const write = variants[(request.url ?? "/").slice(1)];
    if (write === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.write("event: connected\ndata: {}\n\n\n");
    let sent = 0;
    const tick = () => {
      if (response.destroyed) return;
      write(response, `data: ${JSON.stringify(event)}\n\n\n`);
      sent += 1;
      if (sent < chunks) setTimeout(tick, gapMs);
      else response.end("event: return\ndata: \n\n\n");
    };
    setTimeout(tick, gapMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const samples = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  const run = async (name: string) => {
    const started = process.cpuUsage();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", fileURLToPath(import.meta.url), "--read", `http://127.0.0.1:${port}/${name}`],
        {
          stdio: "inherit",
        },
      );
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`reader exited ${code}`))));
    });
    const used = process.cpuUsage(started);
    return (used.user + used.system) / streams / chunks;
  };
  for (const name of Object.keys(variants)) await run(name);
  for (let round = 0; round < rounds; round += 1) {
    const names = Object.keys(variants);
    for (const name of round % 2 === 0 ? names : names.reverse()) samples.get(name)?.push(await run(name));
  }
  server.close();
  console.log(`${chunks} events ${gapMs} ms apart, ${streams} streams × ${rounds} rounds, CPU µs per event:`);
  for (const [name, values] of samples) {
    const sorted = [...values].sort((left, right) => left - right);
    console.log(
      `${name.padEnd(16)} median ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(1)}  rounds ${values.map((value) => value.toFixed(1)).join(" ")}`,
    );
  }
}
