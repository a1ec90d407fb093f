import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import type { JobProcessor } from "../run-job.ts";
import type { Job } from "../types.ts";
import { eventually, gate, type QueueFactory, queueHarness, sleep } from "./queue-fixtures.ts";

const request = { messages: [{ role: "user", content: "Hi" }], model: "gpt-4o-mini" };
const echo: JobProcessor = async (job, context) => ({ echoed: job.request, attempt: context.attempt });

async function settled(
  queue: { get(tenant: string, id: string): Promise<Job | undefined> },
  tenant: string,
  id: string,
) {
  let job: Job | undefined;
  await eventually(async () => {
    job = await queue.get(tenant, id);
    expect(job?.state).toMatch(/completed|failed|cancelled/);
  });
  return job!;
}

async function badRequest(promise: Promise<unknown>): Promise<KeelError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!KeelError.isInstance(error)) throw new Error(`expected a KeelError, got ${String(error)}`);
  expect(error.code).toBe("BAD_REQUEST");
  return error;
}

/** The JobQueue contract, run against every implementation. */
export function describeJobQueueContract(name: string, factory: () => QueueFactory) {
  describe(`${name} job queue contract`, () => {
    const harness = queueHarness((options) => factory()(options));

    it("runs an enqueued job on a worker and records its result, timestamps and events", async () => {
      const queue = harness.queue();
      const { id, deduplicated } = await queue.enqueue({
        tenant: "acme",
        kind: "generate",
        request,
        requestId: "req-1",
      });
      expect(deduplicated).toBe(false);
      expect(id).toMatch(/^job_[0-9a-f]{32}$/);
      harness.worker({ queue, process: echo });
      const job = await settled(queue, "acme", id);
      expect(job).toMatchObject({
        id,
        tenant: "acme",
        kind: "generate",
        state: "completed",
        progress: 100,
        request,
        result: { echoed: request, attempt: 1 },
        attemptsMade: 1,
        failedAttempts: 0,
        maxAttempts: 1,
        priority: 500,
        timeoutMs: 300_000,
        resultTtlMs: 3_600_000,
        requestId: "req-1",
        cancelRequested: false,
      });
      expect(job.error).toBeUndefined();
      const created = Date.parse(job.createdAt);
      const started = Date.parse(job.startedAt!);
      const finished = Date.parse(job.finishedAt!);
      expect(created).toBeLessThanOrEqual(started);
      expect(started).toBeLessThanOrEqual(finished);
      expect(Date.parse(job.expiresAt!)).toBe(finished + 3_600_000);
      await eventually(() =>
        expect(harness.stateEvents(id).map((event) => event.state)).toEqual(["waiting", "active", "completed"]),
      );
      const [waiting, active, completed] = harness.stateEvents(id);
      expect(waiting).toMatchObject({ tenant: "acme", kind: "generate", attempt: 0, requestId: "req-1" });
      expect(active).toMatchObject({ attempt: 1, requestId: "req-1" });
      expect(active?.waitedMs).toBeGreaterThanOrEqual(0);
      expect(completed).toMatchObject({ attempt: 1, requestId: "req-1" });
      expect(completed?.durationMs).toBeGreaterThanOrEqual(0);
    });

    it("reports progress while the job runs", async () => {
      const queue = harness.queue();
      const hold = gate();
      harness.worker({
        queue,
        process: async (_job, context) => {
          await context.reportProgress(40);
          await hold.promise;
          return "done";
        },
      });
      const { id } = await queue.enqueue({ tenant: "acme", kind: "structured", request });
      await eventually(async () =>
        expect(await queue.get("acme", id)).toMatchObject({ state: "active", progress: 40 }),
      );
      hold.open();
      expect(await settled(queue, "acme", id)).toMatchObject({ state: "completed", progress: 100, result: "done" });
    });

    it("returns the existing job for the same idempotency key in the same tenant, and runs it once", async () => {
      const queue = harness.queue();
      const first = await queue.enqueue({ tenant: "acme", kind: "generate", request, idempotencyKey: "order-42" });
      const again = await queue.enqueue({
        tenant: "acme",
        kind: "generate",
        request: { other: true },
        idempotencyKey: "order-42",
      });
      const otherTenant = await queue.enqueue({
        tenant: "globex",
        kind: "generate",
        request,
        idempotencyKey: "order-42",
      });
      expect(again).toEqual({ id: first.id, deduplicated: true });
      expect(otherTenant.deduplicated).toBe(false);
      expect(otherTenant.id).not.toBe(first.id);
      let calls = 0;
      harness.worker({
        queue,
        concurrency: 2,
        process: async (job) => {
          calls += 1;
          return job.request;
        },
      });
      expect((await settled(queue, "acme", first.id)).result).toEqual(request);
      await settled(queue, "globex", otherTenant.id);
      const late = await queue.enqueue({ tenant: "acme", kind: "generate", request, idempotencyKey: "order-42" });
      expect(late).toEqual({ id: first.id, deduplicated: true });
      await sleep(100);
      expect(calls).toBe(2);
      expect(harness.stateEvents(first.id).filter((event) => event.state === "waiting")).toHaveLength(1);
    });

    it("never shows one tenant's job to another: get, cancel, watch and list", async () => {
      const queue = harness.queue();
      const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      expect(await queue.get("globex", id)).toBeUndefined();
      expect(await queue.get("globex", "job_missing")).toBeUndefined();
      expect(await queue.cancel("globex", id)).toBeUndefined();
      expect((await queue.list("globex")).jobs).toEqual([]);
      const error = await badRequest(queue.watch("globex", id)[Symbol.asyncIterator]().next());
      expect(error.details).toMatchObject({ reason: "job-not-found" });
      const missing = await badRequest(queue.watch("acme", "job_missing")[Symbol.asyncIterator]().next());
      expect(missing.message).toBe(error.message);
      // The other tenant's cancel changed nothing.
      expect(await queue.get("acme", id)).toMatchObject({ state: "waiting", cancelRequested: false });
      expect((await queue.list("acme")).jobs.map((job) => job.id)).toEqual([id]);
    });

    it("lists a tenant's jobs newest first, page by page, optionally by state", async () => {
      const queue = harness.queue();
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        ids.push((await queue.enqueue({ tenant: "acme", kind: "generate", request: { index } })).id);
      }
      await queue.enqueue({ tenant: "globex", kind: "generate", request });
      await queue.cancel("acme", ids[1]!);
      await queue.cancel("acme", ids[3]!);
      const first = await queue.list("acme", { limit: 2 });
      expect(first.jobs.map((job) => job.id)).toEqual([ids[4], ids[3]]);
      const second = await queue.list("acme", { limit: 2, cursor: first.nextCursor! });
      expect(second.jobs.map((job) => job.id)).toEqual([ids[2], ids[1]]);
      const third = await queue.list("acme", { limit: 2, cursor: second.nextCursor! });
      expect(third.jobs.map((job) => job.id)).toEqual([ids[0]]);
      expect(third.nextCursor).toBeUndefined();
      const cancelled = await queue.list("acme", { state: "cancelled" });
      expect(cancelled.jobs.map((job) => job.id)).toEqual([ids[3], ids[1]]);
      const waitingPage = await queue.list("acme", { state: "waiting", limit: 1 });
      expect(waitingPage.jobs.map((job) => job.id)).toEqual([ids[4]]);
      const waitingRest = await queue.list("acme", { state: "waiting", cursor: waitingPage.nextCursor! });
      expect(waitingRest.jobs.map((job) => job.id)).toEqual([ids[2], ids[0]]);
      expect((await badRequest(queue.list("acme", { cursor: "nonsense" }))).details.field).toBe("cursor");
      expect((await badRequest(queue.list("acme", { limit: 0 }))).details.field).toBe("limit");
      expect((await badRequest(queue.list("acme", { limit: 101 }))).details.field).toBe("limit");
    });

    it("cancels a waiting job at once, and no worker runs it afterwards", async () => {
      const queue = harness.queue();
      const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      const cancelled = await queue.cancel("acme", id);
      expect(cancelled).toMatchObject({ id, state: "cancelled" });
      expect(cancelled?.finishedAt).toBeDefined();
      let calls = 0;
      harness.worker({
        queue,
        process: async () => {
          calls += 1;
        },
      });
      const control = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      await settled(queue, "acme", control.id);
      expect(calls).toBe(1);
      expect(await queue.get("acme", id)).toMatchObject({ state: "cancelled", attemptsMade: 0 });
      expect(harness.stateEvents(id).map((event) => event.state)).toEqual(["waiting", "cancelled"]);
      // A finished job stays as it is.
      expect(await queue.cancel("acme", control.id)).toMatchObject({ state: "completed", cancelRequested: false });
    });

    it("cancels an active job: its processor's signal aborts and the job ends cancelled", async () => {
      const queue = harness.queue();
      const started = gate();
      let abortReason: unknown;
      harness.worker({
        queue,
        process: (_job, context) =>
          new Promise((resolve) => {
            started.open();
            context.signal.addEventListener("abort", () => {
              abortReason = context.signal.reason;
              // A processor that finishes anyway after the abort: its result must be discarded.
              setTimeout(() => resolve("late result"), 20);
            });
          }),
      });
      const { id } = await queue.enqueue({ tenant: "acme", kind: "batch", request });
      await started.promise;
      const requested = await queue.cancel("acme", id);
      expect(requested).toMatchObject({ state: "active", cancelRequested: true });
      const job = await settled(queue, "acme", id);
      expect(job).toMatchObject({ state: "cancelled", cancelRequested: true });
      expect(job.result).toBeUndefined();
      expect(abortReason).toBeInstanceOf(Error);
      await sleep(60);
      expect((await queue.get("acme", id))?.result).toBeUndefined();
      expect(harness.stateEvents(id).map((event) => event.state)).toEqual(["waiting", "active", "cancelled"]);
    });

    it("fails a job past its timeout with UPSTREAM_TIMEOUT, even when the processor ignores its signal", async () => {
      const queue = harness.queue();
      let aborted = false;
      harness.worker({
        queue,
        concurrency: 2,
        process: async (job, context) => {
          context.signal.addEventListener("abort", () => {
            aborted = true;
          });
          // The "stubborn" job never looks at its signal.
          await sleep((job.request as { sleepMs: number }).sleepMs);
          return "too late";
        },
      });
      const { id } = await queue.enqueue({
        tenant: "acme",
        kind: "generate",
        request: { sleepMs: 2_000 },
        timeoutMs: 150,
      });
      const job = await settled(queue, "acme", id);
      expect(job).toMatchObject({ state: "failed", attemptsMade: 1 });
      expect(job.error).toEqual({
        code: "UPSTREAM_TIMEOUT",
        message: "the job ran longer than its timeout of 150 ms",
        retryable: false,
        details: { reason: "job-timeout", timeoutMs: 150 },
      });
      expect(aborted).toBe(true);
      expect(Date.parse(job.finishedAt!) - Date.parse(job.startedAt!)).toBeLessThan(1_500);
      expect(harness.stateEvents(id).at(-1)).toMatchObject({ state: "failed", code: "UPSTREAM_TIMEOUT" });
    });

    it("forgets a finished job after its result TTL: get, list and the idempotency key", async () => {
      const queue = harness.queue();
      harness.worker({ queue, process: echo });
      const { id } = await queue.enqueue({
        tenant: "acme",
        kind: "generate",
        request,
        resultTtlMs: 300,
        idempotencyKey: "short-lived",
      });
      const job = await settled(queue, "acme", id);
      expect(job.state).toBe("completed");
      expect(Date.parse(job.expiresAt!) - Date.parse(job.finishedAt!)).toBe(300);
      await sleep(400);
      expect(await queue.get("acme", id)).toBeUndefined();
      expect((await queue.list("acme")).jobs).toEqual([]);
      const again = await queue.enqueue({ tenant: "acme", kind: "generate", request, idempotencyKey: "short-lived" });
      expect(again.deduplicated).toBe(false);
      expect(again.id).not.toBe(id);
    });

    it("retries a retryable failure with backoff and reports each attempt", async () => {
      const queue = harness.queue();
      const attempts: number[] = [];
      const startedAt: number[] = [];
      harness.worker({
        queue,
        process: async (_job, context) => {
          attempts.push(context.attempt);
          startedAt.push(Date.now());
          if (context.attempt < 3) throw new KeelError("UPSTREAM_UNAVAILABLE", "provider down");
          return { ok: true };
        },
      });
      const { id } = await queue.enqueue({
        tenant: "acme",
        kind: "generate",
        request,
        attempts: 3,
        backoff: { type: "exponential", delayMs: 100 },
      });
      const job = await settled(queue, "acme", id);
      expect(job).toMatchObject({ state: "completed", result: { ok: true }, attemptsMade: 3, failedAttempts: 2 });
      expect(job.error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE" });
      expect(attempts).toEqual([1, 2, 3]);
      expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(95);
      expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(195);
      expect(harness.stateEvents(id).map((event) => [event.state, event.attempt, event.reason ?? ""])).toEqual([
        ["waiting", 0, ""],
        ["active", 1, ""],
        ["waiting", 1, "retry"],
        ["active", 2, ""],
        ["waiting", 2, "retry"],
        ["active", 3, ""],
        ["completed", 3, ""],
      ]);
    });

    it("fails at once on a non-retryable error, and after the last attempt on a retryable one", async () => {
      const queue = harness.queue();
      harness.worker({
        queue,
        process: async (job) => {
          const { code } = job.request as { code: "CONTENT_BLOCKED" | "UPSTREAM_RATE_LIMITED" };
          throw new KeelError(code, `failed with ${code}`);
        },
      });
      const blocked = await queue.enqueue({
        tenant: "acme",
        kind: "generate",
        request: { code: "CONTENT_BLOCKED" },
        attempts: 3,
      });
      const limited = await queue.enqueue({
        tenant: "acme",
        kind: "generate",
        request: { code: "UPSTREAM_RATE_LIMITED" },
        attempts: 2,
        backoff: { type: "fixed", delayMs: 10 },
      });
      expect(await settled(queue, "acme", blocked.id)).toMatchObject({
        state: "failed",
        attemptsMade: 1,
        error: { code: "CONTENT_BLOCKED", message: "failed with CONTENT_BLOCKED", retryable: false },
      });
      expect(await settled(queue, "acme", limited.id)).toMatchObject({
        state: "failed",
        attemptsMade: 2,
        failedAttempts: 1,
        error: { code: "UPSTREAM_RATE_LIMITED", retryable: true },
      });
    });

    it("records an unexpected processor error as INTERNAL without its message", async () => {
      const queue = harness.queue();
      harness.worker({
        queue,
        process: async () => {
          throw new Error("secret connection string leaked");
        },
      });
      const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      const job = await settled(queue, "acme", id);
      expect(job.error).toEqual({ code: "INTERNAL", message: "internal error", retryable: false, details: {} });
    });

    it("streams a job's changes through watch and ends at its final state", async () => {
      const queue = harness.queue();
      const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      const seen: Job[] = [];
      const watching = (async () => {
        for await (const job of queue.watch("acme", id)) seen.push(job);
      })();
      await eventually(() => expect(seen).toHaveLength(1));
      const hold = gate();
      harness.worker({
        queue,
        process: async (_job, context) => {
          await context.reportProgress(50);
          await hold.promise;
          return "watched";
        },
      });
      await eventually(() => expect(seen.at(-1)).toMatchObject({ state: "active", progress: 50 }));
      hold.open();
      await watching;
      expect(seen[0]).toMatchObject({ state: "waiting", progress: 0 });
      expect(seen.at(-1)).toMatchObject({ state: "completed", progress: 100, result: "watched" });
      const states = seen.map((job) => job.state);
      expect(states.filter((state) => state === "completed")).toHaveLength(1);
      expect(states.indexOf("active")).toBeGreaterThan(0);
    });

    it("ends a watch when its signal aborts", async () => {
      const queue = harness.queue();
      const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      const controller = new AbortController();
      const seen: string[] = [];
      const watching = (async () => {
        for await (const job of queue.watch("acme", id, { signal: controller.signal })) seen.push(job.state);
      })();
      await eventually(() => expect(seen).toEqual(["waiting"]));
      controller.abort();
      await watching;
      expect(seen).toEqual(["waiting"]);
    });

    it("runs lower priority numbers first, equal priorities in enqueue order", async () => {
      const queue = harness.queue();
      const order: string[] = [];
      const enqueue = (label: string, priority?: number) =>
        queue.enqueue({
          tenant: "acme",
          kind: "generate",
          request: { label },
          ...(priority === undefined ? {} : { priority }),
        });
      const blocker = gate();
      harness.worker({
        queue,
        process: async (job) => {
          const { label } = job.request as { label: string };
          if (label === "blocker") await blocker.promise;
          else order.push(label);
        },
      });
      const first = await enqueue("blocker", 1);
      await eventually(async () => expect((await queue.get("acme", first.id))?.state).toBe("active"));
      await enqueue("default-a");
      await enqueue("low", 900);
      await enqueue("urgent", 1);
      await enqueue("default-b");
      blocker.open();
      await eventually(() => expect(order).toHaveLength(4));
      expect(order).toEqual(["urgent", "default-a", "default-b", "low"]);
    });

    it("reports the depth per state", async () => {
      const queue = harness.queue();
      const hold = gate();
      const ids = [];
      for (let index = 0; index < 4; index += 1) {
        ids.push((await queue.enqueue({ tenant: "acme", kind: "generate", request: { index } })).id);
      }
      await queue.cancel("acme", ids[3]!);
      harness.worker({
        queue,
        process: async (job) => {
          if ((job.request as { index: number }).index === 0) return "quick";
          if ((job.request as { index: number }).index === 1) throw new KeelError("BAD_REQUEST", "no");
          await hold.promise;
        },
      });
      await eventually(async () =>
        expect(await queue.depth()).toEqual({ waiting: 0, active: 1, completed: 1, failed: 1, cancelled: 1 }),
      );
      expect(harness.events.filter((event) => event.type === "job-queue-depth").at(-1)).toMatchObject({
        depth: { waiting: 0, active: 1, completed: 1, failed: 1, cancelled: 1 },
      });
      hold.open();
    });

    it("rejects bad enqueue options with BAD_REQUEST naming the field", async () => {
      const queue = harness.queue();
      const field = async (options: Parameters<typeof queue.enqueue>[0]) =>
        (await badRequest(queue.enqueue(options))).details.field;
      expect(await field({ tenant: "", kind: "generate", request })).toBe("tenant");
      expect(await field({ tenant: "acme", kind: "embed" as "generate", request })).toBe("kind");
      expect(await field({ tenant: "acme", kind: "generate", request: undefined })).toBe("request");
      expect(await field({ tenant: "acme", kind: "generate", request: { big: "x".repeat(1_100_000) } })).toBe(
        "request",
      );
      expect(await field({ tenant: "acme", kind: "generate", request, priority: 0 })).toBe("priority");
      expect(await field({ tenant: "acme", kind: "generate", request, timeoutMs: 1.5 })).toBe("timeoutMs");
      expect(await field({ tenant: "acme", kind: "generate", request, attempts: 21 })).toBe("attempts");
      expect(await field({ tenant: "acme", kind: "generate", request, idempotencyKey: "k".repeat(257) })).toBe(
        "idempotencyKey",
      );
      expect(await field({ tenant: "acme", kind: "generate", request, webhook: { url: "https://example.com/" } })).toBe(
        "webhook.url",
      );
      expect((await queue.list("acme")).jobs).toEqual([]);
    });

    it("finishes running jobs within the grace period when a worker closes", async () => {
      const queue = harness.queue();
      const started = gate();
      const worker = harness.worker({
        queue,
        process: async () => {
          started.open();
          await sleep(150);
          return "finished";
        },
      });
      const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      await started.promise;
      await worker.close({ graceMs: 5_000 });
      expect(await queue.get("acme", id)).toMatchObject({ state: "completed", result: "finished" });
    });

    it("hands a job back when the grace period ends, and another worker completes it", async () => {
      const queue = harness.queue();
      const started = gate();
      let sawShutdown = false;
      const first = harness.worker({
        queue,
        process: (_job, context) =>
          new Promise((_resolve, reject) => {
            started.open();
            context.signal.addEventListener("abort", () => {
              sawShutdown = true;
              reject(context.signal.reason);
            });
          }),
      });
      const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request });
      await started.promise;
      await first.close({ graceMs: 50 });
      expect(sawShutdown).toBe(true);
      expect(await queue.get("acme", id)).toMatchObject({ state: "waiting", attemptsMade: 1, failedAttempts: 0 });
      harness.worker({ queue, process: echo });
      const job = await settled(queue, "acme", id);
      expect(job).toMatchObject({ state: "completed", attemptsMade: 2, result: { echoed: request, attempt: 2 } });
      expect(harness.stateEvents(id).map((event) => [event.state, event.reason ?? ""])).toEqual([
        ["waiting", ""],
        ["active", ""],
        ["waiting", "hand-back"],
        ["active", ""],
        ["completed", ""],
      ]);
    });
  });
}
