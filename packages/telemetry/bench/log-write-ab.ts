/**
 * CPU per request log line, stdout written line by line against gathered (the telemetry
 * logger's `flushIntervalMs`), in one process: two loggers on fd 1 (send it to /dev/null),
 * rounds alternating between them, each round BENCH_LOG_LINES request-shaped lines paced
 * like a service at BENCH_LOG_RATE lines/s (so a gathered buffer fills as it would), CPU of the
 * whole process (every thread: the writes run on libuv's pool) per line.
 *
 *   node --import tsx packages/telemetry/bench/log-write-ab.ts > /dev/null
 */
import { createLogger } from "../src/logger.ts";

const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 16);
const linesPerRound = Number(process.env.BENCH_LOG_LINES ?? 1_000);
const rate = Number(process.env.BENCH_LOG_RATE ?? 500);
const flushIntervalMs = Number(process.env.BENCH_LOG_FLUSH_MS ?? 100);

const contenders = [
  { label: "each line", logger: createLogger({ serviceName: "bench" }), samples: [] as number[] },
  {
    label: `gathered ${flushIntervalMs} ms`,
    logger: createLogger({ serviceName: "bench", flushIntervalMs }),
    samples: [] as number[],
  },
];

function line(sequence: number): Record<string, unknown> {
  return {
    service: "trpc",
    requestId: `3f0c1c2e-8a4b-4d7e-9f3a-${String(sequence).padStart(12, "0")}`,
    tenant: "default",
    route: "gpt-4o-mini",
    operation: "generate",
    model: "gpt-4o-mini",
    provider: "openai",
    outcome: "success",
    cache: "miss",
    attempts: 1,
    retries: 0,
    latencyMs: 3.21,
    upstreamMs: 1.02,
    overheadMs: 2.19,
    tokens: { input: 21, output: 9 },
    costUsd: 0.0000086,
  };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
// A service's lines come one per request, each in an event-loop turn of its own; lines
// logged in one turn leave in one write either way (sonic-boom joins what gathers while a
// write is in flight), so lines are paced one per timer tick, several per tick above 500/s.
const tickMs = 2;
const batch = Math.max(1, Math.round((rate * tickMs) / 1_000));

async function runRound(logger: ReturnType<typeof createLogger>, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let sent = 0; sent < count; sent += batch) {
    for (let index = 0; index < batch; index++) logger.info(line(sent + index), "request");
    await sleep(tickMs);
  }
  // Let the last writes (and a gathered logger's last flush) land inside the round.
  await sleep(flushIntervalMs + 50);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

for (const contender of contenders) await runRound(contender.logger, linesPerRound / 2);
for (let round = 0; round < rounds; round++) {
  for (let offset = 0; offset < contenders.length; offset++) {
    const contender = contenders[(round + offset) % contenders.length] as (typeof contenders)[number];
    contender.samples.push(await runRound(contender.logger, linesPerRound));
  }
}
for (const contender of contenders) {
  const sorted = [...contender.samples].sort((a, b) => a - b);
  const at = (share: number) => sorted[Math.floor(sorted.length * share)]?.toFixed(1);
  console.error(
    `${contender.label.padEnd(16)} ${at(0.5)} µs CPU per line (quartiles ${at(0.25)}–${at(0.75)}), ${rounds} rounds of ${linesPerRound} at ${rate}/s`,
  );
}
