import type { Neighbour } from "./neighbour.ts";
import { dotAt, type PreparedVector } from "./prepared-vector.ts";
import { withinBounds, type SignCodes } from "./sign-codes.ts";

/** A lookup: the query's vector and, to filter, its sign code with the per-word bounds of the threshold. */
export interface PartitionQuery {
  vector: PreparedVector;
  /** Absent: every vector is compared exactly. */
  filter?: { code: Uint32Array; bounds: Uint16Array };
  count: number;
}

/**
 * The vectors of one partition in one contiguous Float32Array, with their sign codes in a
 * contiguous Uint32Array. A lookup compares codes first (a few integer operations per
 * entry) and computes the exact dot product (= cosine: vectors are normalised) only for
 * entries whose code is close enough to reach the threshold. Removal moves the last entry
 * into the freed place, so scans never meet holes; the buffers halve when a quarter is in
 * use, so memory follows the live count down as entries leave.
 */
export function createPartitionVectors(options: { dimensions: number; codes: SignCodes }) {
  const { dimensions, codes } = options;
  const words = codes.words;
  let data = new Float32Array(dimensions * 8);
  let codeData = new Uint32Array(words * 8);
  const ids: string[] = [];
  const placeOf = new Map<string, number>();

  const resize = (places: number) => {
    const nextData = new Float32Array(Math.max(8, places) * dimensions);
    nextData.set(data.subarray(0, ids.length * dimensions));
    data = nextData;
    const nextCodes = new Uint32Array(Math.max(8, places) * words);
    nextCodes.set(codeData.subarray(0, ids.length * words));
    codeData = nextCodes;
  };

  return {
    get size() {
      return ids.length;
    },
    /** Adds or replaces the vector of `id` (normalised, `dimensions` long); its sign code is kept on it. */
    add(id: string, vector: PreparedVector): void {
      let place = placeOf.get(id);
      if (place === undefined) {
        place = ids.length;
        if (place * dimensions >= data.length) resize(ids.length * 2);
        ids.push(id);
        placeOf.set(id, place);
      }
      data.set(vector.values, place * dimensions);
      vector.code ??= codes.code(vector);
      codeData.set(vector.code, place * words);
    },
    remove(id: string): boolean {
      const place = placeOf.get(id);
      if (place === undefined) return false;
      placeOf.delete(id);
      const last = ids.length - 1;
      const moved = ids.pop() as string;
      if (place !== last) {
        data.copyWithin(place * dimensions, last * dimensions, (last + 1) * dimensions);
        codeData.copyWithin(place * words, last * words, (last + 1) * words);
        ids[place] = moved;
        placeOf.set(moved, place);
      }
      if (ids.length * 4 <= data.length / dimensions && data.length > 8 * dimensions) resize(ids.length * 2);
      return true;
    },
    /** The `count` most similar entries that pass the code filter, best first, with exact similarities. */
    search(query: PartitionQuery): Neighbour[] {
      const best: Neighbour[] = [];
      const { count, filter } = query;
      for (let place = 0; place < ids.length; place++) {
        if (filter && !withinBounds(codeData, place * words, filter)) continue;
        const similarity = dotAt(data, place * dimensions, query.vector);
        if (best.length === count && similarity <= best[count - 1]!.similarity) continue;
        let at = best.length === count ? count - 1 : best.length;
        while (at > 0 && best[at - 1]!.similarity < similarity) {
          best[at] = best[at - 1]!;
          at--;
        }
        best[at] = { id: ids[place]!, similarity };
      }
      return best;
    },
    /** Bytes of the buffers and an estimate of the id bookkeeping. */
    bytes: () => data.byteLength + codeData.byteLength + ids.length * 120,
  };
}

export type PartitionVectors = ReturnType<typeof createPartitionVectors>;
