import { describe, expect, it } from "vitest";
import { seededRandom } from "../classifier/seeded-random.ts";
import { createGazetteerTable } from "./gazetteer-table.ts";

describe("gazetteer table", () => {
  it("answers every look-up as the Map it replaces, with hash 0, mask 0, repeated hashes and absent words", () => {
    const random = seededRandom(7);
    const hashes = new Uint32Array(5000);
    const masks = new Uint16Array(5000);
    for (let index = 0; index < hashes.length; index++) {
      // Every fifth entry repeats an earlier hash with another mask: the later one wins, as in a Map.
      hashes[index] = index % 5 === 4 ? hashes[index - 3]! : Math.floor(random() * 2 ** 32);
      masks[index] = index % 7 === 0 ? 0 : Math.floor(random() * 0x10000);
    }
    hashes[1] = 0;
    hashes[2] = 0xffffffff;
    const map = new Map<number, number>();
    for (let index = 0; index < hashes.length; index++) map.set(hashes[index]!, masks[index]!);
    const table = createGazetteerTable(hashes, masks);
    expect(table.size).toBe(map.size);
    const probes = [...hashes, 1, 0xfffffffe, ...Array.from({ length: 5000 }, () => Math.floor(random() * 2 ** 32))];
    expect(probes.map((hash) => table.get(hash))).toEqual(probes.map((hash) => map.get(hash)));
  });

  it("answers an empty table with undefined", () => {
    expect(createGazetteerTable(new Uint32Array(0), new Uint16Array(0)).get(12345)).toBeUndefined();
  });
});
