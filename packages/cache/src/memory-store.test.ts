import { describe, expect, it } from "vitest";
import { createMemoryStore, DEFAULT_MAX_BYTES } from "./memory-store.ts";
import { describeStoreContract } from "./test-support/store-contract.ts";

describeStoreContract("memory", async ({ maxEntryBytes }) => createMemoryStore({ maxEntryBytes }));

describe("createMemoryStore bounds", () => {
  it("keeps at most maxEntries, evicting the least recently used", async () => {
    const store = createMemoryStore({ maxEntries: 3 });
    for (const key of ["a", "b", "c"]) await store.set(key, "v", { ttlMs: 5_000 });
    await store.get("a");
    await store.set("d", "v", { ttlMs: 5_000 });
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("a")).toBe("v");
    expect(await store.get("d")).toBe("v");
  });

  it("keeps at most maxBytes across entries", async () => {
    const store = createMemoryStore({ maxBytes: 1_000, maxEntryBytes: 400 });
    for (let index = 0; index < 10; index++) await store.set(`k${index}`, "x".repeat(300), { ttlMs: 5_000 });
    let kept = 0;
    for (let index = 0; index < 10; index++) if ((await store.get(`k${index}`)) !== undefined) kept++;
    expect(kept).toBe(3);
    expect(await store.get("k9")).toBeDefined();
  });

  it("holds at most 32 MiB by default, evicting the least recently used past it", async () => {
    const store = createMemoryStore();
    // One string shared by every entry: the budget counts each entry's bytes, the test holds one copy.
    const value = "x".repeat(400_000);
    for (let index = 0; index < 100; index++) await store.set(`k${index}`, value, { ttlMs: 60_000 });
    const [entries, bytes] = ((await store.health()).message ?? "")
      .split(", ")
      .map((part) => Number.parseInt(part, 10));
    expect(bytes).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    expect(DEFAULT_MAX_BYTES).toBe(32 * 1024 * 1024);
    expect(entries).toBe(Math.floor(DEFAULT_MAX_BYTES / (400_000 + 3)));
    expect(await store.get("k0")).toBeUndefined();
    expect(await store.get("k99")).toBe(value);
  });

  it("rejects a bad bound with a typed error naming the option", () => {
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: "BAD_REQUEST", details: { field: "maxEntries" } }),
    );
  });
});
