// The one test suite both stores pass (run from memory-store.test.ts and redis-store.test.ts).
import { describe, expect, it } from "vitest";
import type { CacheStore } from "../store.ts";
import { sleepMs } from "./middleware-fixtures.ts";

export function describeStoreContract(
  name: string,
  makeStore: (options: { maxEntryBytes: number }) => Promise<CacheStore>,
) {
  describe(`CacheStore contract: ${name}`, () => {
    const open = () => makeStore({ maxEntryBytes: 1_024 });

    it("sets, gets and deletes strings and buffers", async () => {
      const store = await open();
      expect(await store.get("missing")).toBeUndefined();
      expect(await store.set("text", "héllo", { ttlMs: 5_000 })).toEqual({ stored: true, bytes: 6 });
      expect(await store.get("text")).toBe("héllo");
      const bytes = Buffer.from([0, 255, 1, 128]);
      await store.set("bytes", bytes, { ttlMs: 5_000 });
      expect(Buffer.compare((await store.getBuffer("bytes")) ?? Buffer.alloc(0), bytes)).toBe(0);
      await store.delete("text");
      expect(await store.get("text")).toBeUndefined();
      await store.close();
    });

    it("expires entries after their TTL (real time)", async () => {
      const store = await open();
      await store.set("short", "v", { ttlMs: 60 });
      await store.set("long", "v", { ttlMs: 5_000 });
      expect(await store.get("short")).toBe("v");
      await sleepMs(150);
      expect(await store.get("short")).toBeUndefined();
      expect(await store.get("long")).toBe("v");
      await store.close();
    });

    it("refuses an entry over maxEntryBytes and says so", async () => {
      const store = await open();
      expect(await store.set("big", "x".repeat(1_025), { ttlMs: 5_000 })).toEqual({
        stored: false,
        bytes: 1_025,
        reason: "too-large",
      });
      expect(await store.get("big")).toBeUndefined();
      expect(store.maxEntryBytes).toBe(1_024);
      await store.close();
    });

    it("gives a lock to one holder at a time; release and expiry free it", async () => {
      const store = await open();
      const first = await store.tryLock("lock:a", 5_000);
      expect(first).toBeDefined();
      expect(await store.tryLock("lock:a", 5_000)).toBeUndefined();
      await first?.release();
      const second = await store.tryLock("lock:a", 80);
      expect(second).toBeDefined();
      // A released-late lock must not free someone else's: only the token holder releases.
      await first?.release();
      expect(await store.tryLock("lock:a", 5_000)).toBeUndefined();
      await sleepMs(150);
      expect(await store.tryLock("lock:a", 5_000)).toBeDefined();
      await store.close();
    });

    it("scans keys by prefix", async () => {
      const store = await open();
      for (let index = 0; index < 30; index++) await store.set(`sem:p1:${index}`, "v", { ttlMs: 5_000 });
      await store.set("sem:p2:0", "v", { ttlMs: 5_000 });
      await store.set("exact:0", "v", { ttlMs: 5_000 });
      const keys: string[] = [];
      for await (const batch of store.scan("sem:p1:")) keys.push(...batch);
      expect(keys.sort()).toEqual(Array.from({ length: 30 }, (_, index) => `sem:p1:${index}`).sort());
      await store.close();
    });

    it("reports health", async () => {
      const store = await open();
      const health = await store.health();
      expect(health.ok).toBe(true);
      expect(health.kind).toBe(store.kind);
      await store.close();
    });
  });
}
