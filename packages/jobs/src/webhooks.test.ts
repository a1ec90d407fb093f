import { KeelError } from "@keel/spec";
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JobEvent } from "./events.ts";
import { createInProcessJobQueue, type JobQueueOptions } from "./in-process-job-queue.ts";
import { createRedisJobQueue } from "./redis-job-queue.ts";
import { eventually, queueHarness, sleep } from "./test-support/queue-fixtures.ts";
import { startWebhookReceiver } from "./test-support/webhook-receiver.ts";
import type { Job, JobQueue } from "./types.ts";
import type { WebhookOptions } from "./webhook-options.ts";
import { verifyWebhookSignature } from "./webhook-signature.ts";

const secret = "whsec_0123456789abcdef";
const request = { messages: [{ role: "user", content: "Hi" }] };

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});
async function receiver(...args: Parameters<typeof startWebhookReceiver>) {
  const started = await startWebhookReceiver(...args);
  receivers.push(started);
  return started;
}

const factories: [string, (options: JobQueueOptions) => JobQueue][] = [
  ["redis", (options) => createRedisJobQueue({ url: redis.url, ...options })],
  ["in-process", (options) => createInProcessJobQueue(options)],
];

describe.each(factories)("webhooks on the %s queue", (_name, factory) => {
  const harness = queueHarness(factory);
  const webhookEvents = () =>
    harness.events.filter((event) => event.type === "webhook-delivery") as Extract<
      JobEvent,
      { type: "webhook-delivery" }
    >[];
  const setUp = (webhooks: WebhookOptions, process: (job: Job) => Promise<unknown> = async () => ({ answer: 42 })) => {
    const queue = harness.queue({ webhooks });
    harness.worker({ queue, process });
    return queue;
  };

  it("POSTs a signed body when the job completes and records the delivery", async () => {
    const hooks = await receiver();
    const queue = setUp({ allow: [`${hooks.origin}/hooks/`], secret });
    const url = `${hooks.origin}/hooks/job-done?token=s3cr3t`;
    const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request, webhook: { url } });
    await eventually(async () => expect((await queue.get("acme", id))?.webhook?.deliveries).toHaveLength(1));

    expect(hooks.received).toHaveLength(1);
    const [delivery] = hooks.received;
    expect(delivery?.path).toBe("/hooks/job-done?token=s3cr3t");
    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(delivery?.headers["keel-webhook-id"]).toBe(`${id}.completed`);
    const verification = verifyWebhookSignature({
      secret,
      header: delivery?.headers["keel-signature"] as string,
      body: delivery?.body ?? "",
    });
    expect(verification.ok).toBe(true);
    expect(
      verifyWebhookSignature({
        secret: "whsec_somebody_else",
        header: delivery?.headers["keel-signature"] as string,
        body: delivery?.body ?? "",
      }),
    ).toEqual({ ok: false, reason: "signature-mismatch" });
    const body = JSON.parse(delivery?.body ?? "{}");
    expect(body).toMatchObject({
      id: `${id}.completed`,
      type: "job.completed",
      data: { job: { id, tenant: "acme", state: "completed", result: { answer: 42 } } },
    });
    expect(body.data.job.request).toBeUndefined();
    expect(body.createdAt).toBe(body.data.job.finishedAt);

    const job = await queue.get("acme", id);
    expect(job?.webhook).toEqual({
      url,
      deliveries: [
        { attempt: 1, at: expect.any(String), outcome: "delivered", status: 200, durationMs: expect.any(Number) },
      ],
    });
    expect(webhookEvents()).toEqual([
      {
        type: "webhook-delivery",
        jobId: id,
        tenant: "acme",
        attempt: 1,
        outcome: "delivered",
        status: 200,
        durationMs: expect.any(Number),
        origin: hooks.origin,
      },
    ]);
    expect(JSON.stringify(harness.events)).not.toContain("s3cr3t");
  });

  it("retries a receiver that fails twice (500, then a timeout) with backoff, then succeeds", async () => {
    const hooks = await receiver((call) => (call === 1 ? 500 : call === 2 ? "hang" : 204));
    const queue = setUp({
      allow: [hooks.origin],
      secret,
      timeoutMs: 300,
      backoff: { type: "exponential", delayMs: 100 },
    });
    const { id } = await queue.enqueue({
      tenant: "acme",
      kind: "generate",
      request,
      webhook: { url: `${hooks.origin}/cb` },
    });
    await eventually(async () => expect((await queue.get("acme", id))?.webhook?.deliveries).toHaveLength(3), 10_000);

    const deliveries = (await queue.get("acme", id))?.webhook?.deliveries ?? [];
    expect(deliveries.map(({ attempt, outcome, status, reason }) => ({ attempt, outcome, status, reason }))).toEqual([
      { attempt: 1, outcome: "failed", status: 500, reason: "status" },
      { attempt: 2, outcome: "failed", status: undefined, reason: "timeout" },
      { attempt: 3, outcome: "delivered", status: 204, reason: undefined },
    ]);
    expect(deliveries[1]?.durationMs).toBeGreaterThanOrEqual(290);
    expect(hooks.received).toHaveLength(3);
    // Every retry sends the same event with the same bytes, freshly signed.
    expect(new Set(hooks.received.map((received) => received.body)).size).toBe(1);
    expect(new Set(hooks.received.map((received) => received.headers["keel-webhook-id"]))).toEqual(
      new Set([`${id}.completed`]),
    );
    for (const received of hooks.received) {
      expect(
        verifyWebhookSignature({ secret, header: received.headers["keel-signature"] as string, body: received.body })
          .ok,
      ).toBe(true);
    }
    // The backoff is measured on the sender's clock, from the end of one attempt to the start of
    // the next: the receiver's arrival times also hold connection and scheduling delays of a busy
    // machine, which made a bound on them flaky (435 ms seen against 300 + 150).
    const ends = deliveries.map((delivery) => Date.parse(delivery.at));
    const starts = deliveries.map((delivery, index) => ends[index]! - delivery.durationMs);
    expect(starts[1]! - ends[0]!).toBeGreaterThanOrEqual(100 - 5);
    expect(starts[2]! - ends[1]!).toBeGreaterThanOrEqual(200 - 5);
    expect(webhookEvents().map((event) => [event.attempt, event.outcome, event.gaveUp ?? false])).toEqual([
      [1, "failed", false],
      [2, "failed", false],
      [3, "delivered", false],
    ]);
  });

  it("gives up after the last attempt, and sends job.failed for a failed job", async () => {
    const hooks = await receiver(() => 503);
    const queue = setUp(
      { allow: [hooks.origin], secret, maxAttempts: 3, backoff: { type: "fixed", delayMs: 20 } },
      async () => {
        throw new KeelError("CONTENT_BLOCKED", "blocked by policy");
      },
    );
    const { id } = await queue.enqueue({
      tenant: "acme",
      kind: "generate",
      request,
      webhook: { url: `${hooks.origin}/cb` },
    });
    await eventually(() => expect(webhookEvents().at(-1)?.gaveUp).toBe(true), 10_000);
    await sleep(200);
    expect(hooks.received).toHaveLength(3);
    expect(JSON.parse(hooks.received[0]?.body ?? "{}")).toMatchObject({
      id: `${id}.failed`,
      type: "job.failed",
      data: { job: { state: "failed", error: { code: "CONTENT_BLOCKED", message: "blocked by policy" } } },
    });
    expect((await queue.get("acme", id))?.webhook?.deliveries.map((delivery) => delivery.status)).toEqual([
      503, 503, 503,
    ]);
  });

  it("sends no webhook for a cancelled job", async () => {
    const hooks = await receiver();
    const queue = harness.queue({ webhooks: { allow: [hooks.origin], secret } });
    const { id } = await queue.enqueue({
      tenant: "acme",
      kind: "generate",
      request,
      webhook: { url: `${hooks.origin}/cb` },
    });
    await queue.cancel("acme", id);
    harness.worker({ queue, process: async () => "unused" });
    await sleep(300);
    expect(hooks.received).toEqual([]);
    expect((await queue.get("acme", id))?.webhook).toEqual({ url: `${hooks.origin}/cb`, deliveries: [] });
  });

  it("refuses, at enqueue, a URL off the allow-list or one resolving to a private address", async () => {
    const hooks = await receiver();
    const answers: Record<string, string[]> = { "hooks.partner.test": ["10.0.0.7"] };
    const queue = setUp({
      allow: [`${hooks.origin}/hooks/`, "https://hooks.partner.test"],
      secret,
      resolveHost: async (host) => answers[host] ?? [],
    });
    const refused = async (url: string) => {
      const error = await queue
        .enqueue({ tenant: "acme", kind: "generate", request, webhook: { url } })
        .catch((caught) => caught);
      expect(KeelError.isInstance(error) && error.code).toBe("BAD_REQUEST");
      return (error as KeelError).details;
    };
    expect(await refused(`${hooks.origin}/hooks-evil`)).toEqual({ field: "webhook.url", reason: "not-allowed" });
    expect(await refused("http://127.0.0.1:1/hooks/")).toMatchObject({ reason: "not-allowed" });
    expect(await refused("http://169.254.169.254/latest/meta-data/")).toMatchObject({ reason: "not-allowed" });
    expect(await refused("https://hooks.partner.test/cb")).toMatchObject({ reason: "private-address" });
    expect((await queue.list("acme")).jobs).toEqual([]);
    expect(hooks.received).toEqual([]);
  });

  it("checks the address again at delivery: a host rebound to loopback gets nothing", async () => {
    const hooks = await receiver();
    let lookups = 0;
    const queue = setUp({
      allow: [`http://rebind.partner.test:${hooks.port}`],
      secret,
      // The first answer (at enqueue) is public; the next one, at delivery, points at loopback.
      resolveHost: async () => {
        lookups += 1;
        return lookups === 1 ? ["93.184.216.34"] : ["127.0.0.1"];
      },
    });
    const url = `http://rebind.partner.test:${hooks.port}/cb`;
    const { id } = await queue.enqueue({ tenant: "acme", kind: "generate", request, webhook: { url } });
    await eventually(async () => expect((await queue.get("acme", id))?.webhook?.deliveries).toHaveLength(1));
    await sleep(200);
    expect((await queue.get("acme", id))?.webhook?.deliveries).toEqual([
      { attempt: 1, at: expect.any(String), outcome: "failed", reason: "blocked", durationMs: expect.any(Number) },
    ]);
    expect(webhookEvents()).toMatchObject([{ outcome: "failed", reason: "blocked", gaveUp: true }]);
    expect(hooks.received).toEqual([]);
  });

  it("connects to the address the policy checked (no second DNS lookup)", async () => {
    const hooks = await receiver();
    const queue = setUp({
      // A name no real DNS knows: only the pinned, checked address can reach the receiver.
      allow: [{ url: `http://receiver.internal.test:${hooks.port}`, allowPrivateNetwork: true }],
      secret,
      resolveHost: async () => ["127.0.0.1"],
    });
    const { id } = await queue.enqueue({
      tenant: "acme",
      kind: "generate",
      request,
      webhook: { url: `http://receiver.internal.test:${hooks.port}/cb` },
    });
    await eventually(async () =>
      expect((await queue.get("acme", id))?.webhook?.deliveries).toMatchObject([{ outcome: "delivered" }]),
    );
    expect(hooks.received[0]?.headers.host).toBe(`receiver.internal.test:${hooks.port}`);
  });
});
