// One benchmark worker in its own process: a no-op processor (0 ms upstream) on the Redis queue.
//   node --import tsx bench/worker-process.ts <redis url> <queue name> <concurrency>
// Prints "ready" once connected; SIGTERM closes it.
import { createJobWorker } from "../src/job-worker.ts";
import { createRedisJobQueue } from "../src/redis-job-queue.ts";

const [url, name, concurrency] = process.argv.slice(2);
const queue = createRedisJobQueue({ url: url ?? "redis://127.0.0.1:6379", name: name ?? "bench" });
const worker = createJobWorker({
  queue,
  concurrency: Number(concurrency ?? 16),
  depthEveryMs: 0,
  process: async () => null,
});
await queue.depth();
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void worker
    .close({ graceMs: 2_000 })
    .then(() => queue.close())
    .then(() => process.exit(0));
});
