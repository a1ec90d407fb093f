import { execute, type ExecutionArgs, type ExecutionResult, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { GENERATION_FIELDS } from "../../test/test-support/stack.ts";
import { createSchema } from "../schema.ts";
import { compileEventPlan } from "./event-plan.ts";

/**
 * batchStream, jobUpdates and reviewUpdates pass their events through (passEventThrough), so
 * the subscription server builds their events with a plan where the selection allows one;
 * each plan's result must be execute's, and where execute answers with errors the plan declines.
 */
const schema = createSchema();

const generation = {
  id: "gen_1",
  content: "one two",
  model: "gpt-4o-mini",
  provider: "simulator",
  cache: "miss",
  fallback: { failed: [], answeredBy: "simulator/gpt-4o-mini" },
  attempts: 1,
  usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, estimated: false },
  costUsd: 0.00001,
  latencyMs: 12.5,
  finishReason: "stop",
  safety: { input: [], output: [] },
};
const errorBody = { code: "UPSTREAM_UNAVAILABLE", message: "gone", retryable: true, details: { attempt: 2 } };
const usage = { promptTokens: 6, completionTokens: 4, totalTokens: 10 };

const batchEvents = {
  item: { type: "item", item: { index: 0, ok: true, generation }, completed: 1, total: 2 },
  failedItem: { type: "item", item: { index: 1, ok: false, error: errorBody }, completed: 2, total: 2 },
  done: {
    type: "done",
    totals: { items: 2, successes: 1, failures: 1, usage, costUsd: 0.00002, latencyMs: 30 },
  },
  error: { type: "error", error: errorBody },
};
const job = {
  id: "job_1",
  kind: "generate",
  state: "active",
  progress: 0,
  request: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
  deferrable: false,
  priority: 500,
  attemptsMade: 1,
  maxAttempts: 3,
  timeoutMs: 300_000,
  resultTtlMs: 3_600_000,
  cancelRequested: false,
  idempotencyKey: null,
  requestId: "req_1",
  createdAt: "2026-12-02T10:00:00.000Z",
  startedAt: "2026-12-02T10:00:01.000Z",
  webhook: {
    url: "https://hooks.example/keel",
    deliveries: [{ attempt: 1, at: "2026-12-02T10:00:02.000Z", outcome: "failed", reason: "timeout", durationMs: 5 }],
  },
};
const jobEvents = {
  active: job,
  failed: { ...job, state: "failed", error: errorBody, finishedAt: "2026-12-02T10:00:03.000Z" },
  completed: { ...job, state: "completed", progress: 100, result: generation, webhook: null },
};
const reviewEvents = {
  pending: { type: "status", generation: { ...generation, review: { id: "rev_1", state: "pending" } } },
  error: { type: "error", error: { code: "CONTENT_BLOCKED", message: "rejected", retryable: false } },
};
/** Events execute answers with errors: the plans must leave them to execute. */
const refused = {
  batchBadType: { type: "sideways" },
  batchNullIndex: { type: "item", item: { index: null, ok: true } },
  jobBadState: { ...job, state: "asleep" },
  jobMissingId: { ...job, id: undefined },
  reviewMissingCode: { type: "error", error: { message: "no code", retryable: false } },
};

const documents = {
  batch: `subscription { batchStream(input: { items: [] }) {
    type completed total item { index ok error { code message retryable details } generation { ${GENERATION_FIELDS} } }
    totals { items successes failures usage { promptTokens completionTokens totalTokens estimated } costUsd latencyMs }
    error { code message retryable details } } }`,
  job: `subscription { jobUpdates(id: "job_1") {
    id kind state progress error { code message details } request deferrable priority attemptsMade maxAttempts
    timeoutMs resultTtlMs cancelRequested idempotencyKey requestId createdAt startedAt finishedAt expiresAt
    webhook { url deliveries { attempt at outcome status reason durationMs } } } }`,
  review: `subscription { reviewUpdates(id: "rev_1") { type error { code message retryable }
    generation { ${GENERATION_FIELDS} } } }`,
};

function argsOf(query: string, rootValue: unknown): ExecutionArgs {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  return { schema, document, rootValue };
}

function comparable(result: ExecutionResult) {
  return JSON.stringify({ data: result.data, errors: result.errors?.map((error) => error.toJSON()) });
}

function expectPlanIsExecute(query: string, event: unknown) {
  const args = argsOf(query, event);
  const plan = compileEventPlan(args);
  expect(plan).toBeDefined();
  const expected = execute(args) as ExecutionResult;
  expect(expected.errors).toBeUndefined();
  const planned = plan?.(event);
  expect(planned).toBeDefined();
  expect(comparable(planned as ExecutionResult)).toBe(comparable(expected));
  expect(planned).toStrictEqual(expected);
}

describe("event plans for batchStream, jobUpdates and reviewUpdates", () => {
  for (const [name, event] of Object.entries(batchEvents)) {
    it(`batchStream / ${name}: the plan's result is execute's`, () => expectPlanIsExecute(documents.batch, event));
  }
  for (const [name, event] of Object.entries(jobEvents)) {
    it(`jobUpdates / ${name}: the plan's result is execute's`, () => expectPlanIsExecute(documents.job, event));
  }
  for (const [name, event] of Object.entries(reviewEvents)) {
    it(`reviewUpdates / ${name}: the plan's result is execute's`, () => expectPlanIsExecute(documents.review, event));
  }

  it("a job selection with `result` (a union) gets no plan: execute builds those events", () => {
    const query = `subscription { jobUpdates(id: "job_1") { id state result { ... on Generation { content } } } }`;
    expect(compileEventPlan(argsOf(query, jobEvents.completed))).toBeUndefined();
  });

  it("events execute answers with errors are declined by the plans", () => {
    const cases: Array<[string, unknown]> = [
      [documents.batch, refused.batchBadType],
      [documents.batch, refused.batchNullIndex],
      [documents.job, refused.jobBadState],
      [documents.job, refused.jobMissingId],
      [documents.review, refused.reviewMissingCode],
    ];
    for (const [query, event] of cases) {
      const args = argsOf(query, event);
      const expected = execute(args) as ExecutionResult;
      expect(expected.errors?.length).toBeGreaterThan(0);
      expect(compileEventPlan(args)?.(event)).toBeUndefined();
    }
  });
});
