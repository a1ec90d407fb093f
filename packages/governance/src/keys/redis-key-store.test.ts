import { KeelError } from "@keel/spec";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { GovernanceEvent } from "../shared/events.ts";
import { describeKeyStoreContract } from "../test-support/key-store-contract.ts";
import { uniquePrefix, useRedisServer } from "../test-support/redis-fixture.ts";
import { eventually } from "../test-support/temporary-directory.ts";
import { createApiKeyStore } from "./api-key-store.ts";
import { parseApiKey } from "./key-token.ts";

const redis = useRedisServer();

describeKeyStoreContract("Redis", {
  newScope: () => {
    const keyPrefix = uniquePrefix("keys");
    return (options) => createApiKeyStore({ ...options, redis: { client: redis.client(), keyPrefix } });
  },
  shared: true,
});

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!KeelError.isInstance(outcome)) throw new Error(`expected a KeelError, got ${String(outcome)}`);
  return outcome;
}

describe("the Redis key store", () => {
  it("lands one hash per key and two indexes under the {keys} hash tag, with the hash and never the secret", async () => {
    const keyPrefix = uniquePrefix("layout");
    const client = redis.client();
    const store = createApiKeyStore({ redis: { client, keyPrefix } });
    const issued = await store.create({
      tenant: "acme corp",
      role: "caller",
      name: "naïve {name}",
      limits: { concurrency: 2 },
    });
    const { id, secret } = parseApiKey(issued.key)!;
    const keys = (await client.keys(`${keyPrefix}*`)).sort();
    const tenantTag = `~${Buffer.from("acme corp").toString("base64url")}`;
    expect(keys).toEqual([
      `${keyPrefix}{keys}:all`,
      `${keyPrefix}{keys}:id:${id}`,
      `${keyPrefix}{keys}:tenant:${tenantTag}`,
    ]);
    const hash = await client.hgetall(`${keyPrefix}{keys}:id:${id}`);
    expect(JSON.parse(hash.secretHash as string)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(hash.name as string)).toBe("naïve {name}");
    expect(JSON.parse(hash.limits as string)).toEqual({ concurrency: 2 });
    const everything = JSON.stringify(await Promise.all(keys.map((key) => client.dump(key))));
    expect(everything).not.toContain(secret);
    await store.close();
    expect(await client.ping()).toBe("PONG");
  });

  it("connects by URL, waits for nothing, and verifies across a lost Redis from recent records, then fails closed", async () => {
    const keyPrefix = uniquePrefix("outage");
    const events: GovernanceEvent[] = [];
    const options = { redis: { url: redis.server.url, keyPrefix, commandTimeoutMs: 200 }, verifyCacheMs: 0 };
    const store = createApiKeyStore({ ...options, staleIfErrorMs: 1_500, onEvent: (event) => events.push(event) });
    await eventually(() => store.health().ok, { message: "the store connected" });
    const issued = await store.create({ tenant: "acme", role: "caller", name: "k" });
    expect((await store.verify(issued.key)).id).toBe(issued.record.id);
    await redis.server.kill();
    try {
      await eventually(() => !store.health().ok, { message: "the store noticed the outage" });
      // Within staleIfErrorMs the last record read answers; the event says so.
      expect((await store.verify(issued.key)).id).toBe(issued.record.id);
      expect(events.some((event) => event.type === "api-key-stale-served")).toBe(true);
      // A wrong secret is still refused from the stale record.
      const wrong = `keel_${issued.record.id}_${"Z".repeat(43)}`;
      expect((await failure(store.verify(wrong))).details.reason).toBe("wrong-secret");
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const started = Date.now();
      const error = await failure(store.verify(issued.key));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect([error.code, error.retryable, error.details.reason]).toEqual([
        "UPSTREAM_UNAVAILABLE",
        true,
        "key-store-unavailable",
      ]);
      expect(JSON.stringify(error.toJSON())).not.toContain(issued.key);
      const admin = await failure(store.create({ tenant: "acme", role: "caller", name: "during outage" }));
      expect(admin.code).toBe("UPSTREAM_UNAVAILABLE");
      const unknown = await failure(createApiKeyStore(options).verify(issued.key));
      expect(unknown.code).toBe("UPSTREAM_UNAVAILABLE");
    } finally {
      await redis.server.start();
    }
    // The test server keeps nothing across a restart: a key created once it is back verifies.
    await eventually(() => store.health().ok, { message: "the store reconnected by itself" });
    const after = await store.create({ tenant: "acme", role: "caller", name: "after" });
    expect((await store.verify(after.key)).id).toBe(after.record.id);
    await store.close();
  }, 15_000);

  it("bounds a hung Redis by the command timeout", async () => {
    const keyPrefix = uniquePrefix("hung");
    const client = redis.client();
    const store = createApiKeyStore({
      redis: { client, keyPrefix, commandTimeoutMs: 100 },
      verifyCacheMs: 0,
      staleIfErrorMs: 0,
    });
    const issued = await store.create({ tenant: "acme", role: "caller", name: "k" });
    const blocker = new Redis(redis.server.url);
    const pause = blocker.client("PAUSE", 600, "ALL");
    await pause;
    const started = Date.now();
    const error = await failure(store.verify(issued.key));
    const elapsed = Date.now() - started;
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(450);
    blocker.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await store.verify(issued.key)).id).toBe(issued.record.id);
  });
});

describe("naughty tenants in Redis", () => {
  it("stores each naughty string as a tenant intact, or refuses it as BAD_REQUEST, and never mixes tenants", async () => {
    const { NAUGHTY_STRINGS } = await import("../test-support/naughty-strings.ts");
    const store = createApiKeyStore({ redis: { client: redis.client(), keyPrefix: uniquePrefix("naughty-tenants") } });
    const accepted = new Map<string, string>();
    const distinct = new Set(NAUGHTY_STRINGS);
    let refused = 0;
    for (const tenant of distinct) {
      const outcome = await store.create({ tenant, role: "caller", name: tenant }).then(
        (issued) => issued,
        (error: unknown) => error,
      );
      if (KeelError.isInstance(outcome)) {
        expect([outcome.code, outcome.details.field]).toEqual(["BAD_REQUEST", "tenant"]);
        expect(tenant.length === 0 || tenant.length > 128).toBe(true);
        refused++;
        continue;
      }
      expect(outcome).toHaveProperty("record");
      accepted.set(tenant, (outcome as { record: { id: string } }).record.id);
    }
    expect(accepted.size + refused).toBe(distinct.size);
    expect(refused).toBeLessThan(20);
    for (const [tenant, id] of accepted) {
      const page = await store.list({ tenant });
      expect(page.keys.map((key) => [key.id, key.tenant, key.name])).toEqual([[id, tenant, tenant]]);
    }
  }, 30_000);
});
