// A worker in its own process, for tests that kill workers. Started as
//   node --import tsx src/test-support/worker-process.ts '<json settings>'
// It records into Redis what a test needs to see from outside: every attempt started
// (`test:<queue>:starts`), every processor completion per job (`test:<queue>:completions:<id>`)
// and every event (`test:<queue>:events`). Prints "ready" once connected; SIGTERM closes it.
import { Redis } from "ioredis";
import { createJobWorker } from "../job-worker.ts";
import { createRedisJobQueue } from "../redis-job-queue.ts";

interface Settings {
  url: string;
  name: string;
  label: string;
  workMs: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

const settings = JSON.parse(process.argv[2] ?? "{}") as Settings;
const log = new Redis(settings.url);
const key = (suffix: string) => `test:${settings.name}:${suffix}`;

const queue = createRedisJobQueue({
  url: settings.url,
  name: settings.name,
  lockDurationMs: settings.lockDurationMs,
  stalledIntervalMs: settings.stalledIntervalMs,
  maxStalledCount: settings.maxStalledCount,
  onEvent: (event) => void log.rpush(key("events"), JSON.stringify({ ...event, worker: settings.label })),
});
const worker = createJobWorker({
  queue,
  depthEveryMs: 0,
  process: async (job, context) => {
    await log.rpush(key("starts"), `${settings.label}:${context.attempt}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, settings.workMs);
      context.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(context.signal.reason);
      });
    });
    await log.incr(key(`completions:${job.id}`));
    return { by: settings.label, attempt: context.attempt };
  },
});

await queue.depth();
process.stdout.write("ready\n");

process.once("SIGTERM", () => {
  void (async () => {
    await worker.close({ graceMs: 1_000 });
    await queue.close();
    log.disconnect();
    process.exit(0);
  })();
});
