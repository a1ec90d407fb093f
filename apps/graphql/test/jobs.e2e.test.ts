import { createServiceEdge } from "@keel/core";
import { startRedisServer, startWorkerProcess, type RedisServerHandle, type WorkerProcessHandle } from "@keel/testkit";
import { execute, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphqlContext } from "../src/context.ts";
import { createSchema } from "../src/schema.ts";
import {
  chat,
  dataOf,
  GENERATION_FIELDS,
  graphql,
  postRaw,
  startStack,
  wsClient,
  type Stack,
} from "./test-support/stack.ts";

let redis: RedisServerHandle;
let stack: Stack;
let worker: WorkerProcessHandle;

beforeAll(async () => {
  redis = await startRedisServer();
  const shared = {
    models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] } },
    redis: { url: redis.url },
    jobs: { name: "graphql-e2e" },
  };
  // The service enqueues and reads; the jobs run on a real apps/worker process on the same Redis.
  stack = await startStack({
    rules: [
      { promptIncludes: "capital", reply: "Paris." },
      { promptIncludes: "explode", fault: { type: "status", status: 400 } },
      { promptIncludes: "hang", fault: { type: "hang" } },
    ],
    config: shared,
  });
  worker = await startWorkerProcess({
    config: { ...shared, providers: { simulator: { baseURL: stack.simulator.url, apiKey: "test" } } },
  });
  // A redis-server, the service and a worker process: their start alone took over 10 s on a loaded machine.
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await stack?.close();
  await redis?.stop();
});

const JOB_FIELDS = `id kind state progress attemptsMade deferrable createdAt startedAt finishedAt expiresAt requestId
  error { code message details }
  result {
    __typename
    ... on Generation { ${GENERATION_FIELDS} }
    ... on BatchResult { items { index ok error { code } generation { content } } totals { items successes failures costUsd } }
  }`;
const ENQUEUE = "mutation Enqueue($input: EnqueueJobInput!) { enqueueJob(input: $input) { id deduplicated } }";
const JOB = `query Job($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`;

interface JobData {
  id: string;
  kind: string;
  state: string;
  progress: number;
  attemptsMade: number;
  error: { code: string; message: string; details: Record<string, unknown> } | null;
  result: Record<string, unknown> | null;
  finishedAt: string | null;
}

async function enqueue(input: Record<string, unknown>): Promise<string> {
  const response = await graphql<{ enqueueJob: { id: string; deduplicated: boolean } }>({
    url: stack.url,
    query: ENQUEUE,
    variables: { input },
  });
  return dataOf(response).enqueueJob.id;
}

/** Subscribes to jobUpdates over WebSocket until the job's final state. */
async function updates(id: string): Promise<JobData[]> {
  const client = wsClient(stack.wsUrl);
  const seen: JobData[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ jobUpdates: JobData }>(
        { query: `subscription Updates($id: ID!) { jobUpdates(id: $id) { ${JOB_FIELDS} } }`, variables: { id } },
        {
          next: (result) => {
            if (result.errors) reject(result.errors);
            if (result.data?.jobUpdates) seen.push(result.data.jobUpdates);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return seen;
}

describe("jobs through the GraphQL service, run by apps/worker on Redis", () => {
  it("enqueues a generate job, follows jobUpdates to the end and reads its Generation result", async () => {
    const id = await enqueue({ request: { generate: chat("The capital of France?") } });
    expect(id).toMatch(/^job_/);
    const seen = await updates(id);
    expect(seen.at(-1)).toMatchObject({ id, state: "COMPLETED", progress: 100 });
    const job = dataOf(await graphql<{ job: JobData }>({ url: stack.url, query: JOB, variables: { id } })).job;
    expect(job).toMatchObject({
      id,
      kind: "GENERATE",
      state: "COMPLETED",
      attemptsMade: 1,
      error: null,
      result: { __typename: "Generation", content: "Paris.", provider: "simulator", cache: "MISS" },
    });
  });

  it("runs a batch job with a failing item; its result is a BatchResult", async () => {
    const id = await enqueue({
      request: { batch: { items: [{ generate: chat("The capital of France?") }, { generate: chat("explode") }] } },
    });
    await updates(id);
    const job = dataOf(await graphql<{ job: JobData }>({ url: stack.url, query: JOB, variables: { id } })).job;
    expect(job).toMatchObject({
      kind: "BATCH",
      state: "COMPLETED",
      result: {
        __typename: "BatchResult",
        items: [
          { index: 0, ok: true, error: null, generation: { content: "Paris." } },
          { index: 1, ok: false, error: { code: "BAD_REQUEST" }, generation: null },
        ],
        totals: { items: 2, successes: 1, failures: 1 },
      },
    });
  });

  it("answers the README's curl bodies: enqueueJob, then job(id)", async () => {
    const enqueued = await postRaw<{ enqueueJob: { id: string } }>(
      stack.url,
      JSON.stringify({
        query:
          'mutation { enqueueJob(input: { request: { generate: { model: "gpt-4o-mini", messages: [{ role: USER, content: "The capital of France?" }] } } }) { id } }',
      }),
    );
    const id = dataOf(enqueued).enqueueJob.id;
    await updates(id);
    const read = await postRaw<{ job: { state: string; result: { content: string } } }>(
      stack.url,
      JSON.stringify({ query: `{ job(id: "${id}") { state result { ... on Generation { content costUsd } } } }` }),
    );
    expect(dataOf(read).job).toMatchObject({ state: "COMPLETED", result: { content: "Paris." } });
  });

  it("refuses a bad request at enqueue and answers an unknown job with BAD_REQUEST job-not-found", async () => {
    const bad = await graphql({
      url: stack.url,
      query: ENQUEUE,
      variables: { input: { request: { generate: { ...chat("x"), temperature: 7 } } } },
    });
    expect(bad.body?.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "request.temperature" },
    });
    for (const query of ['{ job(id: "job_nope") { id } }', 'mutation { cancelJob(id: "job_nope") { id } }']) {
      const response = await graphql({ url: stack.url, query });
      expect(response.body?.errors?.[0]?.extensions).toMatchObject({
        code: "BAD_REQUEST",
        details: { field: "id", reason: "job-not-found" },
      });
    }
    const watched = await updates("job_nope").then(
      () => "completed",
      (errors: unknown) => errors,
    );
    expect(watched).toMatchObject([{ extensions: { code: "BAD_REQUEST", details: { reason: "job-not-found" } } }]);
  });

  it("deduplicates by idempotency key, lists the caller's jobs as a connection, and cancels a running job", async () => {
    const input = { request: { generate: chat("hang on") }, idempotencyKey: "graphql-once" };
    const first = await enqueue(input);
    const again = dataOf(
      await graphql<{ enqueueJob: { id: string; deduplicated: boolean } }>({
        url: stack.url,
        query: ENQUEUE,
        variables: { input },
      }),
    );
    expect(again.enqueueJob).toEqual({ id: first, deduplicated: true });
    const page = dataOf(
      await graphql<{ jobs: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>({
        url: stack.url,
        query: "{ jobs(first: 2) { nodes { id state } pageInfo { hasNextPage endCursor } } }",
      }),
    ).jobs;
    expect(page.nodes[0]?.id).toBe(first);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: expect.any(String) });
    await worker.waitForLine((line) => line.jobId === first && line.state === "active");
    await graphql({
      url: stack.url,
      query: "mutation Cancel($id: ID!) { cancelJob(id: $id) { state cancelRequested } }",
      variables: { id: first },
    });
    expect((await updates(first)).at(-1)).toMatchObject({ state: "CANCELLED" });
  });
});

describe("tenancy of jobs in the GraphQL service (the tenant of the caller's principal)", () => {
  const schema = createSchema();
  const run = (tenant: string, source: string, variableValues: Record<string, unknown> = {}) => {
    const edge = createServiceEdge(stack.pipeline, { service: "graphql" });
    const principal = { tenant, role: "caller" } as const;
    const signal = new AbortController().signal;
    const context: GraphqlContext = {
      pipeline: stack.pipeline,
      principal,
      signal,
      callOptions: () => edge.callOptions(principal, { requestId: `req-${tenant}`, signal }),
      trackStream: () => () => {},
      isShuttingDown: () => false,
    };
    return execute({ schema, document: parse(source), contextValue: context, variableValues });
  };

  it("never shows, cancels or lists another tenant's job", async () => {
    const enqueued = await run("acme", ENQUEUE, { input: { request: { generate: chat("acme only") } } });
    const id = (enqueued.data as { enqueueJob: { id: string } }).enqueueJob.id;
    for (const source of [`{ job(id: "${id}") { id } }`, `mutation { cancelJob(id: "${id}") { id } }`]) {
      const result = await run("globex", source);
      expect(result.errors?.[0]?.originalError).toMatchObject({
        code: "BAD_REQUEST",
        details: { reason: "job-not-found" },
      });
    }
    const listed = async (tenant: string) => {
      const result = await run(tenant, "{ jobs(first: 100) { nodes { id } } }");
      return (result.data as { jobs: { nodes: Array<{ id: string }> } }).jobs.nodes.map((node) => node.id);
    };
    expect(await listed("globex")).not.toContain(id);
    expect(await listed("acme")).toContain(id);
    expect((await run("acme", `{ job(id: "${id}") { id } }`)).data?.job).toEqual({ id });
    // Over HTTP the service's context is tenant "default": not found either.
    const overHttp = await graphql({ url: stack.url, query: `{ job(id: "${id}") { id } }` });
    expect(overHttp.body?.errors?.[0]?.extensions).toMatchObject({ details: { reason: "job-not-found" } });
  });
});
