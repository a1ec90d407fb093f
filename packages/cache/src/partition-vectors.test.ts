import { describe, expect, it } from "vitest";
import { createPartitionVectors } from "./partition-vectors.ts";
import { prepareVector } from "./prepared-vector.ts";
import { createSignCodes } from "./sign-codes.ts";

const DIMENSIONS = 16;

function unitVector(seed: number): number[] {
  const values = Array.from({ length: DIMENSIONS }, (_, place) => Math.sin(seed * 31 + place * 7) + 0.01);
  const norm = Math.hypot(...values);
  return values.map((value) => value / norm);
}

describe("createPartitionVectors memory", () => {
  it("keeps free places within a quarter of the live vectors as it grows and as entries leave", () => {
    const partition = createPartitionVectors({
      dimensions: DIMENSIONS,
      codes: createSignCodes({ dimensions: DIMENSIONS }),
    });
    for (let index = 0; index < 5_000; index++) {
      partition.add(`id-${index}`, prepareVector(unitVector(index)));
      expect(partition.capacity).toBeLessThanOrEqual(Math.max(8, Math.ceil(partition.size * 1.25)));
    }
    expect(partition.size).toBe(5_000);
    for (let index = 0; index < 4_900; index++) partition.remove(`id-${index}`);
    expect(partition.size).toBe(100);
    // Shrunk when half was free: at most twice the live count, never the 5,000 places it once had.
    expect(partition.capacity).toBeLessThanOrEqual(200);
    // What remains is intact: each vector is still its own nearest neighbour, exactly.
    for (const index of [4_900, 4_950, 4_999]) {
      const [best] = partition.search({ vector: prepareVector(unitVector(index)), count: 1 });
      expect(best?.id).toBe(`id-${index}`);
      expect(best?.similarity).toBeCloseTo(1, 5);
    }
  });
});
