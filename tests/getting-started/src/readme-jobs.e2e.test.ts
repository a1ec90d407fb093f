import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startRedisServer } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CurlCommand, curlCommands } from "./test-support/curl-lines.ts";
import { REPO_ROOT, logLines, runPnpm, type UserProcess } from "./test-support/keel-process.ts";
import { fencedBlocks, readText } from "./test-support/markdown.ts";

const BANNER_END = /Ctrl-C stops Keel\.\n/;
const CHECKED = "<!-- checked by tests/getting-started/src/readme-jobs.e2e.test.ts";
/** The job id the README's lines show; replaced by the id the enqueue line really got. */
const README_JOB_ID = "job_3f2c9a…";

/** The sh blocks that follow the "checked by this test" marker in the root README. */
function checkedBlocks(): string[] {
  const readme = readText(REPO_ROOT, "README.md");
  const lines = readme.split("\n");
  return fencedBlocks(readme)
    .filter((block) => block.info === "sh" && (lines[block.line - 2] ?? "").startsWith(CHECKED))
    .map((block) => block.body);
}

/** Runs one README curl line against the running Keel, its default ports replaced by the test's. */
async function run(command: CurlCommand, ports: { trpc: string; graphql: string }, jobId?: string) {
  const withId = (text: string) => (jobId === undefined ? text : text.replaceAll(README_JOB_ID, jobId));
  let url = `http://${command.url}`
    .replace("localhost:3000", `127.0.0.1:${ports.trpc}`)
    .replace("localhost:4000", `127.0.0.1:${ports.graphql}`);
  if (command.query)
    url += `?${new URLSearchParams(Object.fromEntries(Object.entries(command.query).map(([name, value]) => [name, withId(value)])))}`;
  const response = await fetch(url, {
    method: command.body === undefined ? "GET" : "POST",
    headers: command.headers,
    ...(command.body === undefined ? {} : { body: withId(command.body) }),
  });
  expect(response.status, `${command.url}: ${response.status}`).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("the README's batch and job curl lines, against `pnpm start` (in-process queue and worker)", () => {
  let keel: UserProcess;
  const ports = { trpc: "", graphql: "" };
  beforeAll(async () => {
    ports.trpc = String(await freePort());
    ports.graphql = String(await freePort());
    keel = runPnpm(["start"], {
      KEEL_TRPC_PORT: ports.trpc,
      KEEL_GRAPHQL_PORT: ports.graphql,
      KEEL_SIMULATOR_PORT: String(await freePort()),
    });
    await keel.waitFor(BANNER_END);
  });
  afterAll(() => keel.kill());

  it("finds both checked blocks: batches, then jobs", () => {
    const blocks = checkedBlocks();
    expect(blocks).toHaveLength(2);
    expect(blocks.map((block) => curlCommands(block).map((command) => command.url))).toEqual([
      ["localhost:3000/trpc/ai.batch", "localhost:4000/graphql"],
      [
        "localhost:3000/trpc/jobs.enqueue",
        "localhost:3000/trpc/jobs.get",
        "localhost:4000/graphql",
        "localhost:4000/graphql",
      ],
    ]);
    expect(keel.stdout()).toContain("Jobs     in-process queue and worker (single process, not durable");
  });

  it("batch lines: every item answered, the bad one with its own BAD_REQUEST", async () => {
    const [trpcBatch, graphqlBatch] = curlCommands(checkedBlocks()[0] as string);
    expect(await run(trpcBatch as CurlCommand, ports)).toMatchObject({
      result: {
        data: {
          items: [
            { index: 0, ok: true, generation: { model: "gpt-4o-mini", provider: "simulator" } },
            { index: 1, ok: false, error: { code: "BAD_REQUEST", details: { field: "items.1.generate.model" } } },
          ],
          totals: { items: 2, successes: 1, failures: 1 },
        },
      },
    });
    expect(await run(graphqlBatch as CurlCommand, ports)).toMatchObject({
      data: { batch: { items: [{ index: 0, ok: true, error: null }], totals: { successes: 1, failures: 0 } } },
    });
  });

  it("job lines: enqueue through each service and read the completed job and its result", async () => {
    const [enqueue, get, graphqlEnqueue, graphqlJob] = curlCommands(checkedBlocks()[1] as string) as CurlCommand[];
    const enqueued = (await run(enqueue as CurlCommand, ports)) as {
      result: { data: { id: string; deduplicated: boolean } };
    };
    const id = enqueued.result.data.id;
    expect(enqueued.result.data).toEqual({ id: expect.stringMatching(/^job_/), deduplicated: false });
    await keel.waitFor(new RegExp(`"jobId":"${id}"[^\\n]*"state":"completed"`), 15_000);
    expect(await run(get as CurlCommand, ports, id)).toMatchObject({
      result: {
        data: {
          id,
          kind: "generate",
          state: "completed",
          progress: 100,
          result: { model: "gpt-4o-mini", provider: "simulator", cache: "miss" },
        },
      },
    });

    const graphqlEnqueued = (await run(graphqlEnqueue as CurlCommand, ports)) as {
      data: { enqueueJob: { id: string } };
    };
    const graphqlId = graphqlEnqueued.data.enqueueJob.id;
    await keel.waitFor(new RegExp(`"jobId":"${graphqlId}"[^\\n]*"state":"completed"`), 15_000);
    const read = (await run(graphqlJob as CurlCommand, ports, graphqlId)) as {
      data: { job: { state: string; progress: number; result: { content: string; costUsd: number }; error: null } };
    };
    expect(read.data.job).toMatchObject({ state: "COMPLETED", progress: 100, error: null });
    expect(read.data.job.result.content.length).toBeGreaterThan(0);
    expect(read.data.job.result.costUsd).toBeGreaterThan(0);

    // One log line per state change, for both jobs, with the job id and the enqueueing request's id.
    const states = logLines(keel.stdout()).filter((line) => line.event === "job-state" && line.jobId === id);
    expect(states.map((line) => line.state)).toEqual(["waiting", "active", "completed"]);
    expect(states.every((line) => line.tenant === "default" && typeof line.requestId === "string")).toBe(true);
  });
});

describe("with Redis: `pnpm start` and a separate `pnpm --filter @keel/worker start`, as the README says", () => {
  it("runs a job enqueued through the service on the worker process; both stop on Ctrl-C with exit 0", async () => {
    const redis = await startRedisServer();
    // jobs.worker: false, so the job can only run on the separate worker.
    const config = join(mkdtempSync(join(tmpdir(), "keel-jobs-")), "keel.yaml");
    writeFileSync(config, "jobs:\n  worker: false\n");
    const env = {
      REDIS_URL: redis.url,
      KEEL_CONFIG: config,
      KEEL_TRPC_PORT: String(await freePort()),
      KEEL_GRAPHQL_PORT: String(await freePort()),
      KEEL_SIMULATOR_PORT: String(await freePort()),
      KEEL_WORKER_PORT: String(await freePort()),
    };
    const keel = runPnpm(["start"], env);
    const worker = runPnpm(["--filter", "@keel/worker", "start"], env);
    try {
      await keel.waitFor(BANNER_END);
      expect(keel.stdout()).toContain(
        "Jobs     Redis queue; jobs run on apps/worker (pnpm --filter @keel/worker start)",
      );
      await worker.waitFor(/Keel worker running jobs from the redis queue "jobs"/);
      const response = await fetch(`http://127.0.0.1:${env.KEEL_TRPC_PORT}/trpc/jobs.enqueue`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          kind: "generate",
          request: { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
        }),
      });
      const { id } = ((await response.json()) as { result: { data: { id: string } } }).result.data;
      await worker.waitFor(new RegExp(`"jobId":"${id}"[^\\n]*"state":"completed"`), 20_000);
      // Another process's log: its lines reach stdout within telemetry.log.flushIntervalMs (100 ms), not in step with the worker's.
      await keel.waitFor(new RegExp(`"jobId":"${id}"[^\\n]*"state":"waiting"`), 5_000);
      expect(
        logLines(keel.stdout())
          .filter((line) => line.jobId === id)
          .map((line) => line.state),
      ).toEqual(["waiting"]);
      const metrics = await (await fetch(`http://127.0.0.1:${env.KEEL_WORKER_PORT}/metrics`)).text();
      expect(metrics).toMatch(/keel_jobs_finished_total\{kind="generate",outcome="completed",code=""\} 1/);

      keel.interrupt();
      worker.interrupt();
      expect(await keel.exited).toEqual({ code: 0, signal: null });
      expect(await worker.exited).toEqual({ code: 0, signal: null });
    } finally {
      await Promise.all([keel.kill(), worker.kill()]);
      await redis.stop();
    }
  });
});
