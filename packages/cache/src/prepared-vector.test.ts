import { describe, expect, it } from "vitest";
import { decodeVector, encodeVector } from "./entry.ts";
import { embedText } from "./local-embedder.ts";
import { dotAt, prepareVector } from "./prepared-vector.ts";

/** The dense loop as it was before the sparse one: four running sums by place % 4, the remainder into the first. */
function denseDot(data: Float32Array, offset: number, query: Float32Array): number {
  let first = 0;
  let second = 0;
  let third = 0;
  let fourth = 0;
  let index = 0;
  for (; index + 3 < query.length; index += 4) {
    first += data[offset + index]! * query[index]!;
    second += data[offset + index + 1]! * query[index + 1]!;
    third += data[offset + index + 2]! * query[index + 2]!;
    fourth += data[offset + index + 3]! * query[index + 3]!;
  }
  for (; index < query.length; index++) first += data[offset + index]! * query[index]!;
  return first + second + third + fourth;
}

describe("prepareVector and dotAt", () => {
  it("gives the sparse local-embedder vector exactly the dense loop's similarity, bit for bit", () => {
    // 510 places: two past the last multiple of four, which the dense loop adds to its first sum last.
    const dimensions = 510;
    const texts = ["tell me about lighthouses on rocky coasts", "what is the capital of France", "why is the sky blue"];
    const stored = new Float32Array(texts.length * dimensions);
    for (const [index, text] of texts.entries())
      stored.set(Float32Array.from(embedText(text, dimensions)), index * dimensions);
    const query = prepareVector(embedText("tell me about a lighthouse on a rocky coast", dimensions));
    expect(query.lanes).toBeDefined();
    expect(query.nonZero.length).toBeLessThan(dimensions / 2);
    for (let index = 0; index < texts.length; index++) {
      expect(
        Object.is(dotAt(stored, index * dimensions, query), denseDot(stored, index * dimensions, query.values)),
      ).toBe(true);
    }
    expect(dotAt(stored, 0, query)).toBeGreaterThan(0.5);
  });

  it("keeps a dense vector (a model's embedding) on the dense loop", () => {
    const values = Array.from({ length: 64 }, (_, index) => Math.sin(index + 1) / 4);
    const query = prepareVector(values);
    expect(query.lanes).toBeUndefined();
    expect(query.nonZero.length).toBe(64);
    const stored = Float32Array.from(values);
    expect(dotAt(stored, 0, query)).toBe(denseDot(stored, 0, query.values));
  });
});

describe("prepareVector's layout", () => {
  it("lists the non-zero places in order and splits them into lanes by place % 4 (the tail into lane 0)", () => {
    for (const dimensions of [510, 512, 64]) {
      const vector = embedText("which lighthouse on the rocky coast is the oldest, and why?", dimensions);
      const prepared = prepareVector(vector);
      const places = vector.flatMap((value, place) => (value === 0 ? [] : [place]));
      expect([...prepared.nonZero]).toEqual(places);
      if (places.length * 2 > dimensions) {
        expect(prepared.lanes).toBeUndefined();
        continue;
      }
      const mainEnd = dimensions - (dimensions % 4);
      const laneOf = (place: number) => (place >= mainEnd ? 0 : place % 4);
      expect(prepared.lanes?.map((lane) => [...lane])).toEqual(
        [0, 1, 2, 3].map((lane) => places.filter((place) => laneOf(place) === lane)),
      );
    }
  });
});

describe("a prepared vector's values as stored", () => {
  it("encode to the bytes of the vector itself, also from a view into a larger buffer", () => {
    const vector = embedText("how do lighthouses warn ships at night", 512);
    const prepared = prepareVector(vector);
    expect(encodeVector(prepared.values)).toBe(encodeVector(vector));
    const shared = new Float32Array(3 * 512);
    shared.set(prepared.values, 512);
    expect(encodeVector(shared.subarray(512, 1024))).toBe(encodeVector(vector));
    expect(decodeVector(encodeVector(prepared.values))).toEqual(Array.from(prepared.values));
  });
});
