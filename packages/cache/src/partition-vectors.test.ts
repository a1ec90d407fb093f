import { describe, expect, it } from "vitest";
import { embedText } from "./local-embedder.ts";
import { createPartitionVectors } from "./partition-vectors.ts";
import { dotAt, prepareVector } from "./prepared-vector.ts";
import { createSignCodes } from "./sign-codes.ts";

const DIMENSIONS = 32;
const vectorOf = (position: number) =>
  prepareVector(embedText(`entry ${position} about ${position % 7} and ${position % 11}`, DIMENSIONS));
describe("createPartitionVectors", () => {
  it("grows by 256-place blocks instead of copying every vector at each power of two (the growth stall), and finds across blocks", () => {
    const codes = createSignCodes({ dimensions: DIMENSIONS });
    const partition = createPartitionVectors({ dimensions: DIMENSIONS, codes });
    const stored = new Map<string, ReturnType<typeof vectorOf>>();
    for (let position = 0; position < 700; position++) {
      const vector = vectorOf(position);
      partition.add(`e${position}`, vector);
      stored.set(`e${position}`, vector);
    }
    // 700 entries: three blocks of 256 places, where one doubling buffer would hold 1,024.
    expect(partition.capacity).toBe(768);

    // Removals move the last entry into the freed place, across blocks; empty blocks leave (half a block of slack kept).
    for (let position = 0; position < 700; position += 1) if (position % 5 !== 0) partition.remove(`e${position}`);
    for (const id of [...stored.keys()]) if (Number(id.slice(1)) % 5 !== 0) stored.delete(id);
    expect(partition.size).toBe(140);
    expect(partition.capacity).toBe(512);

    const query = vectorOf(35);
    const exact = [...stored]
      .map(([id, vector]) => ({ id, similarity: dotAt(Float32Array.from(vector.values), 0, query) }))
      .sort((left, right) => right.similarity - left.similarity)
      .slice(0, 5);
    const found = partition.search({ vector: query, count: 5 });
    expect(found.map((neighbour) => neighbour.id)).toEqual(exact.map((neighbour) => neighbour.id));
    expect(found[0]).toEqual({ id: "e35", similarity: exact[0]?.similarity });

    // Down to a few entries, the lone first block halves as before.
    for (const id of [...stored.keys()].slice(3)) partition.remove(id);
    expect(partition.size).toBe(3);
    expect(partition.capacity).toBe(8);
  });
});
