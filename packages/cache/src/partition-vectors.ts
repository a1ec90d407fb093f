import { createKeyBuckets } from "./key-buckets.ts";
import type { Neighbour } from "./neighbour.ts";
import { dotAt, prepareVector, type PreparedVector } from "./prepared-vector.ts";
import { withinBounds, type SignCodes } from "./sign-codes.ts";

/** A lookup: the query's vector and, to filter, its sign code with the per-word bounds of the threshold. */
export interface PartitionQuery {
  vector: PreparedVector;
  /** Only the entries added with this key are compared (all of them exactly): see guard-key.ts. */
  key?: number;
  /** Absent: every vector is compared exactly. Ignored with a key. */
  filter?: { code: Uint32Array; bounds: Uint16Array };
  count: number;
}

/**
 * The vectors of one partition in one contiguous Float32Array, with their sign codes in a
 * contiguous Uint32Array and their ids bucketed by key. A keyed lookup compares exactly
 * the entries of its key only; an unkeyed one scans, comparing codes first (a few integer
 * operations per entry) and computing the exact dot product (= cosine: vectors are
 * normalised) only for entries whose code is close enough to reach the threshold. Codes
 * are computed when a scan first needs them (an index only ever searched by key never
 * pays for them), or taken from the vector when it carries one. Removal moves the last
 * entry into the freed place, so scans never meet holes. The buffers grow by a quarter
 * when full (not doubling: at 2 KiB a vector, a 10,000-entry partition would carry up to
 * 20 MiB of empty places) and shrink to a quarter above the live count when half is in
 * use, so memory follows the live count down as entries leave.
 */
export function createPartitionVectors(options: { dimensions: number; codes: SignCodes }) {
  const { dimensions, codes } = options;
  const words = codes.words;
  let data = new Float32Array(dimensions * 8);
  let codeData = new Uint32Array(words * 8);
  /** 1 where the place's code in codeData is its vector's. */
  let coded = new Uint8Array(8);
  let uncoded = 0;
  const ids: string[] = [];
  /** The key each place was added with, or -1 (keys are unsigned 32-bit). */
  const keys: number[] = [];
  const placeOf = new Map<string, number>();
  const buckets = createKeyBuckets();

  const resize = (places: number) => {
    const size = Math.max(8, places);
    const nextData = new Float32Array(size * dimensions);
    nextData.set(data.subarray(0, ids.length * dimensions));
    data = nextData;
    const nextCodes = new Uint32Array(size * words);
    nextCodes.set(codeData.subarray(0, ids.length * words));
    codeData = nextCodes;
    const nextCoded = new Uint8Array(size);
    nextCoded.set(coded.subarray(0, ids.length));
    coded = nextCoded;
  };

  /** Fills in the codes a scan needs: the same code the vector's own preparation gives (same float32 values). */
  const codeAll = () => {
    for (let place = 0; uncoded > 0 && place < ids.length; place++) {
      if (coded[place] === 1) continue;
      const row = data.subarray(place * dimensions, (place + 1) * dimensions);
      codeData.set(codes.code(prepareVector(row)), place * words);
      coded[place] = 1;
      uncoded--;
    }
  };

  return {
    get size() {
      return ids.length;
    },
    /** Places the buffers have room for (live vectors and free places). */
    get capacity() {
      return data.length / dimensions;
    },
    /**
     * Adds or replaces the vector of `id` (normalised, `dimensions` long), under `key` if
     * given; its sign code, if it carries one (the query's, from a scan), is kept.
     */
    add(id: string, vector: PreparedVector, key?: number): void {
      let place = placeOf.get(id);
      if (place === undefined) {
        place = ids.length;
        if (place * dimensions >= data.length) resize(roomFor(ids.length + 1));
        ids.push(id);
        keys.push(-1);
        placeOf.set(id, place);
      } else {
        if (keys[place]! >= 0) buckets.remove(keys[place]!, id);
        if (coded[place] === 0) uncoded--;
      }
      data.set(vector.values, place * dimensions);
      if (vector.code) {
        codeData.set(vector.code, place * words);
        coded[place] = 1;
      } else {
        coded[place] = 0;
        uncoded++;
      }
      keys[place] = key ?? -1;
      if (key !== undefined) buckets.add(key, id);
    },
    remove(id: string): boolean {
      const place = placeOf.get(id);
      if (place === undefined) return false;
      placeOf.delete(id);
      if (keys[place]! >= 0) buckets.remove(keys[place]!, id);
      if (coded[place] === 0) uncoded--;
      const last = ids.length - 1;
      const moved = ids.pop() as string;
      const movedKey = keys.pop() as number;
      if (place !== last) {
        data.copyWithin(place * dimensions, last * dimensions, (last + 1) * dimensions);
        codeData.copyWithin(place * words, last * words, (last + 1) * words);
        coded[place] = coded[last]!;
        ids[place] = moved;
        keys[place] = movedKey;
        placeOf.set(moved, place);
      }
      coded[last] = 0;
      if (ids.length * 2 <= data.length / dimensions && data.length > 8 * dimensions) resize(roomFor(ids.length));
      return true;
    },
    /** The `count` most similar entries (of the key, or that pass the code filter), best first, with exact similarities. */
    search(query: PartitionQuery): Neighbour[] {
      const best: Neighbour[] = [];
      const { count, filter, key } = query;
      if (key !== undefined) {
        for (const id of buckets.ids(key)) {
          const place = placeOf.get(id) as number;
          offer(best, count, { id, similarity: dotAt(data, place * dimensions, query.vector) });
        }
        return best;
      }
      if (filter) codeAll();
      for (let place = 0; place < ids.length; place++) {
        if (filter && !withinBounds(codeData, place * words, filter)) continue;
        const similarity = dotAt(data, place * dimensions, query.vector);
        if (best.length === count && similarity <= best[count - 1]!.similarity) continue;
        offer(best, count, { id: ids[place]!, similarity });
      }
      return best;
    },
    /** Ids of `key` (for tests of the buckets' consistency). */
    idsOfKey: (key: number): readonly string[] => buckets.ids(key),
    /** How many keys have entries. */
    keyCount: () => buckets.size,
    /** Bytes of the buffers and an estimate of the id, key and bucket bookkeeping. */
    bytes: () => data.byteLength + codeData.byteLength + coded.byteLength + ids.length * (120 + 8) + buckets.bytes(),
  };
}

/** Places for `live` vectors and a quarter more, so growing one at a time copies each vector a few times at most. */
function roomFor(live: number): number {
  return Math.ceil(live * 1.25);
}

/** Puts `candidate` into `best` (at most `count`, most similar first) if it ranks. */
function offer(best: Neighbour[], count: number, candidate: Neighbour): void {
  if (best.length === count && candidate.similarity <= best[count - 1]!.similarity) return;
  let at = best.length === count ? count - 1 : best.length;
  while (at > 0 && best[at - 1]!.similarity < candidate.similarity) {
    best[at] = best[at - 1]!;
    at--;
  }
  best[at] = candidate;
}

export type PartitionVectors = ReturnType<typeof createPartitionVectors>;
