import { describe, expect, it } from "vitest";
import { embedText } from "./local-embedder.ts";
import { createVectorIndex, type IndexAddition } from "./vector-index.ts";

const vectorOf = (text: string) => embedText(text, 64);
const addition = (id: string, overrides: Partial<IndexAddition> = {}): IndexAddition => ({
  id,
  namespace: "tenant:a",
  partition: "p1",
  vector: vectorOf(`tell me about ${id}`),
  expiresAt: Number.MAX_SAFE_INTEGER,
  ...overrides,
});
const ids = (index: ReturnType<typeof createVectorIndex>, partition: string, text: string) =>
  index.search(partition, vectorOf(text), { count: 10, minSimilarity: 0 }).map((found) => found.id);

describe("createVectorIndex", () => {
  it("evicts the least recently used entry of a full namespace, and a served entry counts as used", () => {
    const index = createVectorIndex({ dimensions: 64, maxEntriesPerNamespace: 3 });
    for (const id of ["alpha", "bravo", "charlie"]) expect(index.add(addition(id)).evicted).toEqual([]);
    index.touch("alpha");
    expect(index.add(addition("delta"))).toEqual({ added: true, evicted: ["bravo"] });
    expect(index.add(addition("echo", { namespace: "tenant:b", partition: "p2" })).evicted).toEqual([]);
    expect(index.namespaceSize("tenant:a")).toBe(3);
    expect(index.has("bravo")).toBe(false);
    expect(ids(index, "p1", "tell me about bravo")).not.toContain("bravo");
    expect(index.stats()).toMatchObject({ vectors: 4, partitions: 2, namespaces: 2 });
  });

  it("evicts across namespaces at the global cap and per partition at the partition cap", () => {
    const index = createVectorIndex({ dimensions: 64, maxEntries: 4, maxEntriesPerPartition: 2 });
    index.add(addition("one", { namespace: "tenant:a", partition: "pa" }));
    index.add(addition("two", { namespace: "tenant:b", partition: "pb" }));
    index.add(addition("three", { namespace: "tenant:b", partition: "pb" }));
    expect(index.add(addition("four", { namespace: "tenant:b", partition: "pb" })).evicted).toEqual(["two"]);
    index.add(addition("five", { namespace: "tenant:c", partition: "pc" }));
    expect(index.add(addition("six", { namespace: "tenant:c", partition: "pc" })).evicted).toEqual(["one"]);
    expect(index.stats()).toMatchObject({ vectors: 4, partitions: 2, namespaces: 2 });
  });

  it("sweeps out expired entries, and replacing an entry moves it", () => {
    let now = 1_000;
    const index = createVectorIndex({ dimensions: 64, sweepEveryMs: 100, clock: () => now });
    index.add(addition("short", { expiresAt: 1_050 }));
    index.add(addition("long", { expiresAt: 10_000 }));
    index.add(addition("moved", { partition: "p2" }));
    index.add(addition("moved", { partition: "p3" }));
    now = 1_060;
    expect(ids(index, "p1", "tell me about short")).toContain("short"); // not yet swept
    now = 1_100;
    expect(ids(index, "p1", "tell me about short")).toEqual(["long"]);
    expect(ids(index, "p2", "tell me about moved")).toEqual([]);
    expect(ids(index, "p3", "tell me about moved")).toEqual(["moved"]);
    now = 20_000;
    expect(index.expire()).toBe(1);
    expect(index.stats()).toMatchObject({ vectors: 1, partitions: 1 });
  });

  it("reconciles with the store's keys, sparing entries added since the scan began", () => {
    let now = 0;
    const index = createVectorIndex({ dimensions: 64, clock: () => now });
    index.add(addition("kept"));
    index.add(addition("gone"));
    now = 10;
    index.add(addition("new"));
    expect(index.reconcile(new Set(["kept"]), 5)).toBe(1);
    expect(["kept", "gone", "new"].filter((id) => index.has(id))).toEqual(["kept", "new"]);
  });

  it("finds with the sign-code filter every entry an exact scan finds above the threshold", () => {
    const words = Array.from({ length: 600 }, (_, position) => `w${(position * 7919).toString(36)}q`);
    const texts = Array.from(
      { length: 2_000 },
      (_, position) =>
        `how do I ${words[position % 600]} the ${words[(position * 13) % 600]} with ${words[(position * 31) % 600]}`,
    );
    const filtered = createVectorIndex({ dimensions: 512, filterFrom: 1 });
    const exact = createVectorIndex({ dimensions: 512, filterFrom: 1_000_000 });
    for (const [position, text] of texts.entries()) {
      const vector = embedText(text, 512);
      filtered.add(addition(`t${position}`, { vector }));
      exact.add(addition(`t${position}`, { vector }));
    }
    let compared = 0;
    for (let position = 0; position < texts.length; position += 10) {
      const query = embedText(`${texts[position]} please`, 512);
      for (const minSimilarity of [0.8, 0.6]) {
        const lookup = { count: 4, minSimilarity };
        const above = (found: Array<{ id: string; similarity: number }>) =>
          found.filter((neighbour) => neighbour.similarity >= minSimilarity);
        const expected = above(exact.search("p1", query, lookup));
        expect(above(filtered.search("p1", query, lookup))).toEqual(expected);
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(300);
  }, 60_000);

  it("refuses a vector of another size", () => {
    const index = createVectorIndex({ dimensions: 64 });
    expect(index.add(addition("short", { vector: [1, 0, 0] }))).toEqual({ added: false, evicted: [] });
    expect(index.stats().vectors).toBe(0);
  });
});
