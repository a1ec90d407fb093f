import { describe, expect, it } from "vitest";
import { createRandom } from "../bench/semantic-corpus.ts";
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

  it("warms up its sign codes without adding anything, and a warmed index filters as an unwarmed one does", () => {
    expect(createVectorIndex({ dimensions: 0 }).warmUp()).toBe(false);
    const warmed = createVectorIndex({ dimensions: 64, filterFrom: 1 });
    const cold = createVectorIndex({ dimensions: 64, filterFrom: 1 });
    expect(warmed.warmUp()).toBe(true);
    expect(warmed.stats()).toEqual({ vectors: 0, partitions: 0, namespaces: 0, bytes: 0 });
    for (const index of [warmed, cold]) for (const id of ["alpha", "beta", "gamma", "delta"]) index.add(addition(id));
    const lookup = { count: 4, minSimilarity: 0.5 };
    const query = vectorOf("tell me about beta please");
    expect(warmed.search("p1", query, lookup)).toEqual(cold.search("p1", query, lookup));
    expect(warmed.search("p1", query, lookup)[0]?.id).toBe("beta");
  });

  it("refuses a vector of another size", () => {
    const index = createVectorIndex({ dimensions: 64 });
    expect(index.add(addition("short", { vector: [1, 0, 0] }))).toEqual({ added: false, evicted: [] });
    expect(index.stats().vectors).toBe(0);
  });
});

describe("createVectorIndex with guard keys", () => {
  const above = (found: Array<{ id: string; similarity: number }>, minSimilarity: number) =>
    found.filter((neighbour) => neighbour.similarity >= minSimilarity);

  it("a keyed search returns what an exact scan of the key's entries returns, on a seeded corpus", () => {
    const random = createRandom(7);
    const words = Array.from({ length: 40 }, (_, position) => `w${(position * 7919).toString(36)}q`);
    const pick = () => words[Math.floor(random() * words.length)];
    // 40 keys, each shared by many near-identical texts: buckets of dozens, like templated prompts.
    const texts = Array.from({ length: 2_000 }, (_, position) => `how do I ${pick()} the ${pick()} ${position % 7}`);
    const keyOf = (position: number) => position % 40;
    const keyed = createVectorIndex({ dimensions: 512 });
    const exact = createVectorIndex({ dimensions: 512, filterFrom: 1_000_000 });
    for (const [position, text] of texts.entries()) {
      const vector = embedText(text, 512);
      keyed.add(addition(`t${position}`, { vector, key: keyOf(position) }));
      exact.add(addition(`t${position}`, { vector }));
    }
    let compared = 0;
    for (let position = 0; position < texts.length; position += 7) {
      const query = embedText(`${texts[position]} please`, 512);
      const key = keyOf(position);
      const all = exact.search("p1", query, { count: 2_000, minSimilarity: 0 });
      const expected = all.filter((neighbour) => keyOf(Number(neighbour.id.slice(1))) === key).slice(0, 4);
      const found = keyed.search("p1", query, { count: 4, minSimilarity: 0.8, key });
      expect(above(found, 0.8)).toEqual(above(expected, 0.8));
      expect(found.map((neighbour) => neighbour.similarity)).toEqual(expected.map((neighbour) => neighbour.similarity));
      compared += above(expected, 0.8).length;
    }
    expect(compared).toBeGreaterThan(200);
  });

  it("keeps its buckets, codes and places consistent through add, replace, remove, eviction, expiry and reconcile", () => {
    const random = createRandom(11);
    let now = 1_000;
    const index = createVectorIndex({
      dimensions: 64,
      maxEntriesPerNamespace: 120,
      maxEntriesPerPartition: 60,
      filterFrom: 1,
      sweepEveryMs: Number.MAX_SAFE_INTEGER,
      clock: () => now,
    });
    /** What the index should hold: id -> partition, key, vector text, expiry, when added. */
    const model = new Map<
      string,
      { partition: string; key: number; text: string; expiresAt: number; addedAt: number }
    >();
    const partitions = ["pa", "pb", "pc"];
    const keys = [1, 2, 3, 4_000_000_000];
    const check = () => {
      for (const partition of partitions)
        for (const key of keys) {
          const expected = [...model.entries()]
            .filter(([, entry]) => entry.partition === partition && entry.key === key)
            .map(([id]) => id)
            .sort();
          expect({ partition, key, ids: [...index.idsOfKey(partition, key)].sort() }).toEqual({
            partition,
            key,
            ids: expected,
          });
          // A keyed search finds exactly the bucket, each at its own vector's similarity.
          const found = index.search(partition, vectorOf(`item ${expected[0] ?? "none"}`), {
            count: 1_000,
            minSimilarity: 0,
            key,
          });
          expect(found.map((neighbour) => neighbour.id).sort()).toEqual(expected);
        }
      expect(index.stats().vectors).toBe(model.size);
      // Unkeyed filtered scans (filterFrom 1) still return what an exact comparison returns above the threshold.
      for (const [id, entry] of [...model.entries()].slice(0, 5)) {
        const found = index.search(entry.partition, vectorOf(entry.text), { count: 4, minSimilarity: 0.99 });
        expect(found[0]).toMatchObject({ id });
        expect(found[0]?.similarity).toBeGreaterThan(0.999);
      }
    };
    for (let step = 0; step < 3_000; step++) {
      now += 1;
      const choice = random();
      const id = `e${Math.floor(random() * 300)}`;
      if (choice < 0.7) {
        const partition = partitions[Math.floor(random() * partitions.length)]!;
        const key = keys[Math.floor(random() * keys.length)]!;
        const text = `item ${id} ${step}`;
        const expiresAt = now + 50 + Math.floor(random() * 2_000);
        model.delete(id);
        const result = index.add(addition(id, { partition, key, vector: vectorOf(text), expiresAt }));
        for (const evicted of result.evicted) expect(model.delete(evicted)).toBe(true);
        model.set(id, { partition, key, text, expiresAt, addedAt: now });
      } else if (choice < 0.85) {
        expect(index.remove(id)).toBe(model.delete(id));
      } else if (choice < 0.95) {
        index.touch(id);
        if (model.has(id)) {
          const entry = model.get(id)!;
          model.delete(id);
          model.set(id, entry);
        }
      } else if (choice < 0.98) {
        let expired = 0;
        for (const [entryId, entry] of model) if (entry.expiresAt <= now && model.delete(entryId)) expired++;
        expect(index.expire()).toBe(expired);
      } else {
        const present = new Set([...model.keys()].filter(() => random() < 0.8));
        const since = now - 100;
        let gone = 0;
        for (const [entryId, entry] of model)
          if (entry.addedAt < since && !present.has(entryId) && model.delete(entryId)) gone++;
        expect(index.reconcile(present, since)).toBe(gone);
      }
      if (step % 100 === 0) check();
    }
    check();
  });
});
