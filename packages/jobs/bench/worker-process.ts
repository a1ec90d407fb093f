// One benchmark worker in its own process: a no-op processor (0 ms upstream) on the Redis queue.
//   node --import tsx bench/worker-process.ts <redis url> <queue name> <concurrency>
// Connects, prints "ready", and starts working when it reads "go" on stdin (so that several
// workers start together on a queue filled beforehand). SIGTERM closes it.
import { createInterface } from "node:readline";
import { createJobWorker, type JobWorker } from "../src/job-worker.ts";
import { createRedisJobQueue } from "../src/redis-job-queue.ts";

const [url, name, concurrency] = process.argv.slice(2);
const queue = createRedisJobQueue({ url: url ?? "redis://127.0.0.1:6379", name: name ?? "bench" });
await queue.depth();
let worker: JobWorker | undefined;
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "go" || worker) return;
  worker = createJobWorker({
    queue,
    concurrency: Number(concurrency ?? 16),
    depthEveryMs: 0,
    process: async () => null,
  });
});
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void (worker?.close({ graceMs: 2_000 }) ?? Promise.resolve()).then(() => queue.close()).then(() => process.exit(0));
});
