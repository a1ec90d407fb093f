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
 * entry into the freed place, so scans never meet holes.
 *
 * The vectors live in blocks of BLOCK_PLACES places: the first block doubles from 8 places
 * up to a full block, then the partition grows by adding a block. One contiguous buffer that
 * doubled copied every vector at each power of two, a stall on the request that crossed it
 * (with 512 dimensions, 55 ms of CPU at 4,096 entries and 111 ms at 8,192 on the project
 * machine); a block costs the same small allocation every 256 entries. Blocks left empty by
 * removals are released (half a block of slack is kept), and a lone first block halves when
 * a quarter is in use, so memory follows the live count down as entries leave.
 */
export function createPartitionVectors(options: { dimensions: number; codes: SignCodes }) {
  const { dimensions, codes } = options;
  const words = codes.words;
  /** Place p is at `(p % BLOCK_PLACES) * dimensions` in block `p / BLOCK_PLACES` (rounded down). */
  const blocks: Float32Array[] = [new Float32Array(dimensions * 8)];
  const blockOf = (place: number): Float32Array => blocks[Math.floor(place / BLOCK_PLACES)] as Float32Array;
  const offsetOf = (place: number): number => (place % BLOCK_PLACES) * dimensions;
  const capacity = () => (blocks.length - 1) * BLOCK_PLACES + (blocks.at(-1) as Float32Array).length / dimensions;
  let codeData = new Uint32Array(words * 8);
  /** 1 where the place's code in codeData is its vector's. */
  let coded = new Uint8Array(8);
  let uncoded = 0;
  const ids: string[] = [];
  /** The key each place was added with, or -1 (keys are unsigned 32-bit). */
  const keys: number[] = [];
  const placeOf = new Map<string, number>();
  const buckets = createKeyBuckets();

  /** Codes and flags are small (4 x words + 1 bytes a place): one buffer each, doubling and halving. */
  const resizeCodes = (places: number) => {
    const size = Math.max(8, places);
    const nextCodes = new Uint32Array(size * words);
    nextCodes.set(codeData.subarray(0, Math.min(ids.length, size) * words));
    codeData = nextCodes;
    const nextCoded = new Uint8Array(size);
    nextCoded.set(coded.subarray(0, Math.min(ids.length, size)));
    coded = nextCoded;
  };

  /** Room for one more place: the first block doubles up to a full block, then a block is added. */
  const grow = () => {
    const first = blocks[0] as Float32Array;
    if (blocks.length === 1 && first.length < BLOCK_PLACES * dimensions) {
      const next = new Float32Array(Math.min(BLOCK_PLACES, (first.length / dimensions) * 2) * dimensions);
      next.set(first.subarray(0, ids.length * dimensions));
      blocks[0] = next;
    } else blocks.push(new Float32Array(BLOCK_PLACES * dimensions));
    if (coded.length < capacity()) resizeCodes(Math.max(capacity(), coded.length * 2));
  };

  /** After a removal: release the blocks no longer needed, or halve a lone first block a quarter full. */
  const shrink = () => {
    // Half a block of slack stays after a release, so entries coming and going at a block's
    // edge do not allocate and drop a block each time.
    while (blocks.length > 1 && (blocks.length - 1) * BLOCK_PLACES >= ids.length + BLOCK_PLACES / 2) blocks.pop();
    const first = blocks[0] as Float32Array;
    const places = first.length / dimensions;
    if (blocks.length === 1 && places > 8 && ids.length * 4 <= places) {
      const next = new Float32Array(Math.max(8, ids.length * 2) * dimensions);
      next.set(first.subarray(0, ids.length * dimensions));
      blocks[0] = next;
    }
    if (coded.length > 8 && ids.length * 4 <= coded.length) resizeCodes(Math.max(capacity(), ids.length * 2));
  };

  /** Fills in the codes a scan needs: the same code the vector's own preparation gives (same float32 values). */
  const codeAll = () => {
    for (let place = 0; uncoded > 0 && place < ids.length; place++) {
      if (coded[place] === 1) continue;
      const offset = offsetOf(place);
      const row = blockOf(place).subarray(offset, offset + dimensions);
      codeData.set(codes.code(prepareVector(row)), place * words);
      coded[place] = 1;
      uncoded--;
    }
  };

  return {
    get size() {
      return ids.length;
    },
    /** Places the vector blocks hold: the live count and the free places of the last blocks. */
    get capacity() {
      return capacity();
    },
    /**
     * Adds or replaces the vector of `id` (normalised, `dimensions` long), under `key` if
     * given; its sign code, if it carries one (the query's, from a scan), is kept.
     */
    add(id: string, vector: PreparedVector, key?: number): void {
      let place = placeOf.get(id);
      if (place === undefined) {
        place = ids.length;
        if (place >= capacity()) grow();
        ids.push(id);
        keys.push(-1);
        placeOf.set(id, place);
      } else {
        if (keys[place]! >= 0) buckets.remove(keys[place]!, id);
        if (coded[place] === 0) uncoded--;
      }
      blockOf(place).set(vector.values, offsetOf(place));
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
        const from = offsetOf(last);
        blockOf(place).set(blockOf(last).subarray(from, from + dimensions), offsetOf(place));
        codeData.copyWithin(place * words, last * words, (last + 1) * words);
        coded[place] = coded[last]!;
        ids[place] = moved;
        keys[place] = movedKey;
        placeOf.set(moved, place);
      }
      coded[last] = 0;
      shrink();
      return true;
    },
    /** The `count` most similar entries (of the key, or that pass the code filter), best first, with exact similarities. */
    search(query: PartitionQuery): Neighbour[] {
      const best: Neighbour[] = [];
      const { count, filter, key } = query;
      if (key !== undefined) {
        for (const id of buckets.ids(key)) {
          const place = placeOf.get(id) as number;
          offer(best, count, { id, similarity: dotAt(blockOf(place), offsetOf(place), query.vector) });
        }
        return best;
      }
      if (filter) codeAll();
      for (let place = 0; place < ids.length; place++) {
        if (filter && !withinBounds(codeData, place * words, filter)) continue;
        const similarity = dotAt(blockOf(place), offsetOf(place), query.vector);
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
    bytes: () =>
      blocks.reduce((sum, block) => sum + block.byteLength, 0) +
      codeData.byteLength +
      coded.byteLength +
      ids.length * (120 + 8) +
      buckets.bytes(),
  };
}

/** Places per block of vectors (with 512 dimensions, 512 KiB a block). */
const BLOCK_PLACES = 256;

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
