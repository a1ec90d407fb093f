import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BUFFERED_LOG_BYTES } from "./logger.ts";

const CHILD = fileURLToPath(new URL("./test-support/buffered-logger-child.ts", import.meta.url));

interface LoggerChild {
  /** Resolves with the child's `ready` report (its logger's creation time). */
  ready: Promise<{ createdAt: number }>;
  send(command: string): void;
  /** Lines on the child's stdout, each with the time this process read it. */
  lines: Array<{ sequence: number; receivedAt: number }>;
  /** The next acknowledgement of a `log` command. */
  nextLogged(): Promise<{ logged: number; loggedAt: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  child: ChildProcess;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** A real process with a stdout logger flushed every `flushIntervalMs` (test-support/buffered-logger-child.ts). */
function startChild(flushIntervalMs: number): LoggerChild {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, String(flushIntervalMs)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.push(child);
  const lines: LoggerChild["lines"] = [];
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    const complete = stdout.split("\n");
    stdout = complete.pop() ?? "";
    for (const line of complete)
      lines.push({ sequence: (JSON.parse(line) as { sequence: number }).sequence, receivedAt: Date.now() });
  });
  const reports: Array<Record<string, number>> = [];
  const waiting: Array<(report: Record<string, number>) => void> = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    const complete = stderr.split("\n");
    stderr = complete.pop() ?? "";
    for (const line of complete) {
      const report = JSON.parse(line) as Record<string, number>;
      const waiter = waiting.shift();
      if (waiter) waiter(report);
      else reports.push(report);
    }
  });
  const nextReport = () =>
    new Promise<Record<string, number>>((resolve) => {
      const report = reports.shift();
      if (report) resolve(report);
      else waiting.push(resolve);
    });
  return {
    ready: nextReport() as Promise<{ createdAt: number }>,
    send: (command) => child.stdin?.write(`${command}\n`),
    lines,
    nextLogged: () => nextReport() as Promise<{ logged: number; loggedAt: number }>,
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    child,
  };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a buffered stdout logger (flushIntervalMs), in a process of its own", () => {
  it("writes a line at the next interval, not at once, and every later line within an interval", async () => {
    const interval = 600;
    const logger = startChild(interval);
    const { createdAt } = await logger.ready;
    logger.send("log 1 0");
    await logger.nextLogged();
    await until(() => logger.lines.length === 1, interval + 5_000);
    // The first flush is one interval after the logger's creation; an unbuffered line arrives at once.
    expect(logger.lines[0]?.receivedAt).toBeGreaterThanOrEqual(createdAt + interval);

    logger.send("log 2 0");
    const { loggedAt } = await logger.nextLogged();
    await until(() => logger.lines.length === 3, interval + 5_000);
    expect(logger.lines.map((line) => line.sequence)).toEqual([1, 2, 3]);
    // At the latest one interval later, plus what a busy machine adds to a timer and a pipe.
    expect(logger.lines[2]?.receivedAt).toBeLessThan(loggedAt + interval + 3_000);
  });

  it(`writes at once, without waiting for the interval, once ${BUFFERED_LOG_BYTES} bytes have gathered`, async () => {
    const logger = startChild(60_000);
    await logger.ready;
    logger.send("log 40 400"); // ~40 × 450 bytes: more than two buffers' worth
    await logger.nextLogged();
    await until(() => logger.lines.length >= 20, 5_000);
    expect(logger.lines.map((line) => line.sequence)).toEqual(logger.lines.map((_, index) => index + 1));
  });

  it.each([
    ["SIGTERM (a graceful stop: runMain exits 0)", "SIGTERM", 0],
    ["an uncaught exception (the process guard exits 1)", "throw", 1],
  ] as const)("writes every buffered line synchronously on exit after %s", async (_, how, code) => {
    const logger = startChild(60_000);
    await logger.ready;
    logger.send("log 3 0");
    await logger.nextLogged();
    expect(logger.lines).toEqual([]);
    if (how === "SIGTERM") logger.child.kill("SIGTERM");
    else logger.send("throw");
    expect(await logger.exited).toEqual({ code, signal: null });
    await until(() => logger.child.stdout?.readableEnded === true, 5_000);
    expect(logger.lines.map((line) => line.sequence)).toEqual([1, 2, 3]);
  });

  it("loses what it holds on a SIGKILL (the documented bound: one interval's lines)", async () => {
    const logger = startChild(60_000);
    await logger.ready;
    logger.send("log 3 0");
    await logger.nextLogged();
    logger.child.kill("SIGKILL");
    expect(await logger.exited).toEqual({ code: null, signal: "SIGKILL" });
    await until(() => logger.child.stdout?.readableEnded === true, 5_000);
    expect(logger.lines).toEqual([]);
  });
});
