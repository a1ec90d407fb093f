/**
 * Ids grouped by a number key (the guard key of their query, guard-key.ts), so a lookup
 * visits only the ids of its key instead of every id of the partition. A bucket of one id
 * is held as the bare string (most buckets: distinct questions rarely share every content
 * word), a larger one as an array; an emptied bucket is deleted, so memory follows the
 * live ids.
 */
export function createKeyBuckets() {
  const buckets = new Map<number, string | string[]>();
  let arrays = 0;

  return {
    add(key: number, id: string): void {
      const bucket = buckets.get(key);
      if (bucket === undefined) buckets.set(key, id);
      else if (typeof bucket === "string") {
        buckets.set(key, [bucket, id]);
        arrays++;
      } else bucket.push(id);
    },
    remove(key: number, id: string): void {
      const bucket = buckets.get(key);
      if (bucket === undefined) return;
      if (typeof bucket === "string") {
        if (bucket === id) buckets.delete(key);
        return;
      }
      const at = bucket.indexOf(id);
      if (at === -1) return;
      // Order within a bucket does not matter: the search ranks by similarity.
      bucket[at] = bucket[bucket.length - 1] as string;
      bucket.pop();
      if (bucket.length === 1) {
        buckets.set(key, bucket[0] as string);
        arrays--;
      }
    },
    /** The ids of `key` (none: an empty list). */
    ids(key: number): readonly string[] {
      const bucket = buckets.get(key);
      return bucket === undefined ? [] : typeof bucket === "string" ? [bucket] : bucket;
    },
    /** How many keys have ids. */
    get size() {
      return buckets.size;
    },
    /** An estimate: a Map slot (~40 bytes, growth included) per key and ~64 per array bucket. */
    bytes: () => buckets.size * 40 + arrays * 64,
  };
}

export type KeyBuckets = ReturnType<typeof createKeyBuckets>;
