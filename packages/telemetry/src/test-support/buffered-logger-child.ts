/**
 * A process of its own for the buffered-stdout tests: a logger on stdout with the flush
 * interval given as the first argument, driven by lines on stdin: `log <count> <padding>`
 * writes that many info lines, `throw` throws an uncaught exception. SIGTERM exits 0 as
 * runMain does after a graceful stop. Timings and acknowledgements go to stderr as JSON.
 */
import { createInterface } from "node:readline";
import { createLogger } from "../logger.ts";

const flushIntervalMs = Number(process.argv[2]);
// Before the logger, whose flush timer starts with it: its first flush is at least an interval after this.
const createdAt = Date.now();
const logger = createLogger({ flushIntervalMs, serviceName: "child" });
const report = (fields: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(fields)}\n`);

process.on("SIGTERM", () => process.exit(0));
process.on("uncaughtException", () => process.exit(1));

let sequence = 0;
createInterface({ input: process.stdin }).on("line", (command) => {
  const [verb, count, padding] = command.split(" ");
  if (verb === "throw")
    setImmediate(() => {
      throw new Error("a bug");
    });
  if (verb !== "log") return;
  const loggedAt = Date.now();
  for (let index = 0; index < Number(count); index++) {
    sequence += 1;
    logger.info({ sequence, padding: "x".repeat(Number(padding)) }, "line");
  }
  report({ logged: sequence, loggedAt });
});
report({ ready: true, createdAt });
