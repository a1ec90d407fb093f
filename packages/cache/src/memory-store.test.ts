import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./memory-store.ts";
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

  it("rejects a bad bound with a typed error naming the option", () => {
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: "BAD_REQUEST", details: { field: "maxEntries" } }),
    );
  });
});
