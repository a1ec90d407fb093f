import { startRedisCluster, startRedisServer, type RedisClusterHandle, type RedisServerHandle } from "@keel/testkit";
import { Cluster, Redis } from "ioredis";
import type { Generation, KeelEvent } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generationOf } from "../test-support/stages.ts";
import { createMemoryReviewStore } from "./memory-review-store.ts";
import { createRedisReviewStore } from "./redis-review-store.ts";
import { createReviewQueue, type NewReviewItem, type ReviewQueue } from "./review-queue.ts";
import type { ReviewStore } from "./review-store.ts";

let redis: RedisServerHandle;
// The decision script and the per-tenant indexes must keep to one slot on a Redis Cluster too.
let cluster: RedisClusterHandle;
const clusterClients: Cluster[] = [];
beforeAll(async () => {
  [redis, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  for (const client of clusterClients) client.disconnect();
  await Promise.all([redis.stop(), cluster.stop()]);
});

function clusterClient(): Cluster {
  const client = new Cluster(
    cluster.seeds.map((seed) => ({ host: "127.0.0.1", port: Number(seed.split(":")[1]) })),
    { scaleReads: "master" },
  );
  client.on("error", () => {});
  clusterClients.push(client);
  return client;
}

const request = { model: "support", messages: [{ role: "user" as const, content: "I am ana@example.com" }] };
const held: Generation = { ...generationOf("Dear ana@example.com, here is your refund.", request), data: { ok: true } };

function newItem(overrides: Partial<NewReviewItem> = {}): NewReviewItem {
  return {
    tenant: "acme",
    route: "support",
    mode: "hold",
    detectors: ["toxicity"],
    ttlMs: 60_000,
    onExpiry: "reject",
    safety: { input: [], output: [{ scanner: "toxicity", detector: "toxicity", kind: "TOXIC", action: "review" }] },
    request,
    generation: held,
    ...overrides,
  };
}

const stores: [string, () => ReviewStore][] = [
  ["memory", () => createMemoryReviewStore({ now: () => clock.now })],
  [
    "redis",
    () => createRedisReviewStore({ url: redis.url, keyPrefix: `test:${Math.random().toString(36).slice(2)}:` }),
  ],
  [
    "redis-cluster",
    () =>
      createRedisReviewStore({
        client: clusterClient(),
        keyPrefix: `test:${Math.random().toString(36).slice(2)}:`,
        commandTimeoutMs: 5_000,
      }),
  ],
];
const clock = { now: Date.now() };

describe.each(stores)("review queue on the %s store", (_name, makeStore) => {
  const open = () => {
    const decided: KeelEvent[] = [];
    const queue = createReviewQueue({
      store: makeStore(),
      events: { emit: (event) => decided.push(event) },
      now: () => clock.now,
      sweepEveryMs: 0,
      pollMs: 20,
    });
    return { queue, decided };
  };
  const withQueue = async (run: (queue: ReviewQueue, decided: KeelEvent[]) => Promise<void>) => {
    const { queue, decided } = open();
    try {
      await run(queue, decided);
    } finally {
      await queue.close();
    }
  };

  it("holds an answer, then approve releases it to the caller; the decision records who and when", async () => {
    await withQueue(async (queue, decided) => {
      const created: KeelEvent[] = [];
      const item = await queue.create(newItem(), { emit: (event) => created.push(event) });
      expect(created).toEqual([{ type: "review-created", route: "support", detector: "toxicity", mode: "hold" }]);
      const pending = await queue.getDecision("acme", item.id);
      expect(pending).toMatchObject({ content: "", review: { id: item.id, state: "pending" } });
      expect(pending.data).toBeUndefined();
      clock.now += 5_000;
      const approved = await queue.approve("acme", item.id, { reviewer: "rita" });
      expect(approved.decision).toEqual({ reviewer: "rita", at: clock.now });
      const final = await queue.getDecision("acme", item.id);
      expect(final).toMatchObject({
        content: held.content,
        data: { ok: true },
        review: { id: item.id, state: "approved" },
      });
      expect(decided).toEqual([
        { type: "review-decided", route: "support", decision: "approved", mode: "hold", timeToDecisionMs: 5_000 },
      ]);
      // A decided item cannot be decided again.
      await expect(queue.reject("acme", item.id, { reviewer: "sam", reason: "late" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        details: { reason: "review-already-decided", state: "approved" },
      });
    });
  });

  it("edit replaces the content and approves; reject makes the caller's answer CONTENT_BLOCKED", async () => {
    await withQueue(async (queue) => {
      const edited = await queue.create(newItem());
      await queue.edit("acme", edited.id, { reviewer: "rita", content: "Here is your refund." });
      expect(await queue.getDecision("acme", edited.id)).toMatchObject({
        content: "Here is your refund.",
        review: { state: "edited" },
      });
      const rejected = await queue.create(newItem());
      const decision = await queue.reject("acme", rejected.id, { reviewer: "sam", reason: "insulting" });
      expect(decision.decision).toMatchObject({ reviewer: "sam", reason: "insulting" });
      const error = await queue.getDecision("acme", rejected.id).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({
        code: "CONTENT_BLOCKED",
        details: { reason: "review-rejected", reviewId: rejected.id },
      });
      expect(JSON.stringify(error)).not.toContain("insulting");
      await expect(
        queue.reject("acme", (await queue.create(newItem())).id, { reviewer: "sam", reason: " " }),
      ).rejects.toMatchObject({
        code: "BAD_REQUEST",
        details: { field: "reason" },
      });
      await expect(queue.approve("acme", rejected.id, { reviewer: "" })).rejects.toMatchObject({
        details: { field: "reviewer" },
      });
    });
  });

  it("applies the expiry decision on timeout: release or reject", async () => {
    await withQueue(async (queue, decided) => {
      const released = await queue.create(newItem({ onExpiry: "release", ttlMs: 1_000 }));
      const rejected = await queue.create(newItem({ onExpiry: "reject", ttlMs: 1_000 }));
      clock.now += 1_001;
      expect(await queue.sweep()).toBe(2);
      expect(await queue.getDecision("acme", released.id)).toMatchObject({
        content: held.content,
        review: { state: "expired" },
      });
      await expect(queue.getDecision("acme", rejected.id)).rejects.toMatchObject({
        code: "CONTENT_BLOCKED",
        details: { reason: "review-expired" },
      });
      expect((await queue.get("acme", released.id)).decision).toEqual({
        reviewer: "(expiry)",
        at: clock.now,
        outcome: "release",
      });
      expect(decided.map((event) => event.type === "review-decided" && event.decision)).toEqual(["expired", "expired"]);
      await expect(queue.approve("acme", released.id, { reviewer: "rita" })).rejects.toMatchObject({
        details: { reason: "review-already-decided" },
      });
    });
  });

  it("a second tenant can neither see nor decide the first tenant's items", async () => {
    await withQueue(async (queue) => {
      const item = await queue.create(newItem());
      const notFound = { code: "BAD_REQUEST", details: { reason: "review-not-found" } };
      await expect(queue.get("other", item.id)).rejects.toMatchObject(notFound);
      await expect(queue.getDecision("other", item.id)).rejects.toMatchObject(notFound);
      await expect(queue.approve("other", item.id, { reviewer: "x" })).rejects.toMatchObject(notFound);
      await expect(queue.reject("other", item.id, { reviewer: "x", reason: "x" })).rejects.toMatchObject(notFound);
      await expect(queue.edit("other", item.id, { reviewer: "x", content: "x" })).rejects.toMatchObject(notFound);
      expect((await queue.list("other")).items).toEqual([]);
      expect((await queue.get("acme", item.id)).state).toBe("pending");
      // A tenant named like a key pattern stays in its own space.
      await expect(queue.get("acme}:item:", item.id)).rejects.toMatchObject(notFound);
    });
  });

  it("lists pending items filtered by route, detector and age, in pages, without the request and answer", async () => {
    await withQueue(async (queue) => {
      const first = await queue.create(newItem({ route: "a", detectors: ["toxicity"] }));
      clock.now += 10_000;
      const second = await queue.create(newItem({ route: "b", detectors: ["claims"] }));
      const third = await queue.create(newItem({ route: "a", detectors: ["claims", "pii"] }));
      await queue.approve("acme", third.id, { reviewer: "rita" });
      const fourth = await queue.create(newItem({ route: "a", detectors: ["pii"] }));
      const all = await queue.list("acme");
      expect(all.items.map((item) => item.id)).toEqual([first.id, second.id, fourth.id]);
      expect(all.items[0]).not.toHaveProperty("request");
      expect(all.items[0]).not.toHaveProperty("generation");
      expect((await queue.list("acme", { route: "a" })).items.map((item) => item.id)).toEqual([first.id, fourth.id]);
      expect((await queue.list("acme", { detector: "claims" })).items.map((item) => item.id)).toEqual([second.id]);
      expect((await queue.list("acme", { olderThanMs: 5_000 })).items.map((item) => item.id)).toEqual([first.id]);
      const page = await queue.list("acme", { limit: 2 });
      expect(page.items.map((item) => item.id)).toEqual([first.id, second.id]);
      const next = await queue.list("acme", { limit: 2, cursor: page.cursor! });
      expect(next.items.map((item) => item.id)).toEqual([fourth.id]);
      expect(next.cursor).toBeUndefined();
    });
  });

  it("watch yields the pending answer, then the decision as soon as a reviewer makes it", async () => {
    await withQueue(async (queue) => {
      const item = await queue.create(newItem());
      const seen: Generation[] = [];
      const watching = (async () => {
        for await (const generation of queue.watch("acme", item.id)) seen.push(generation);
      })();
      await new Promise((resolve) => setTimeout(resolve, 30));
      await queue.approve("acme", item.id, { reviewer: "rita" });
      await watching;
      expect(seen.map((generation) => generation.review?.state)).toEqual(["pending", "approved"]);
      expect(seen[1]!.content).toBe(held.content);
      const rejected = await queue.create(newItem());
      setTimeout(() => void queue.reject("acme", rejected.id, { reviewer: "sam", reason: "no" }), 20);
      const events: string[] = [];
      const failure = await (async () => {
        for await (const generation of queue.watch("acme", rejected.id)) events.push(generation.review!.state);
      })().catch((error: unknown) => error);
      expect(events).toEqual(["pending"]);
      expect(failure).toMatchObject({ code: "CONTENT_BLOCKED" });
    });
  });

  it("watch on an item already decided yields its decision once (it was repeated before)", async () => {
    await withQueue(async (queue) => {
      const item = await queue.create(newItem());
      await queue.approve("acme", item.id, { reviewer: "rita" });
      const seen: string[] = [];
      for await (const generation of queue.watch("acme", item.id)) seen.push(generation.review!.state);
      expect(seen).toEqual(["approved"]);
    });
  });

  it("of two reviewers deciding at once exactly one wins", async () => {
    await withQueue(async (queue, decided) => {
      const item = await queue.create(newItem());
      const outcomes = await Promise.allSettled([
        queue.approve("acme", item.id, { reviewer: "rita" }),
        queue.reject("acme", item.id, { reviewer: "sam", reason: "no" }),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      expect(decided).toHaveLength(1);
    });
  });
});

describe("redis review store keys", () => {
  it("keeps a tenant's keys under one hash tag, with a TTL, and the items out of any other tenant's keys", async () => {
    const prefix = "tag-test:";
    const queue = createReviewQueue({
      store: createRedisReviewStore({ url: redis.url, keyPrefix: prefix }),
      sweepEveryMs: 0,
    });
    const client = new Redis(redis.url);
    try {
      const item = await queue.create(newItem({ tenant: "acme corp" }));
      const keys = (await client.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([
        `${prefix}tenants`,
        `${prefix}{acme%20corp}:expiry`,
        `${prefix}{acme%20corp}:item:${item.id}`,
        `${prefix}{acme%20corp}:pending`,
      ]);
      expect(await client.pttl(`${prefix}{acme%20corp}:item:${item.id}`)).toBeGreaterThan(60_000);
    } finally {
      client.disconnect();
      await queue.close();
    }
  });
});
