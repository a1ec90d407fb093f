import type { Neighbour } from "./neighbour.ts";
import { createPartitionVectors, type PartitionVectors } from "./partition-vectors.ts";
import { prepareVector, type PreparedVector } from "./prepared-vector.ts";
import { createSignCodes, type SignCodes } from "./sign-codes.ts";

export type { Neighbour } from "./neighbour.ts";
export type { PreparedVector } from "./prepared-vector.ts";

export interface VectorIndexOptions {
  /** 0: learned from the first vector added. */
  dimensions: number;
  /** Most vectors in the whole index; past it the least recently used leaves. Default 50,000. */
  maxEntries?: number;
  /** Most vectors of one tenant namespace; past it that namespace's least recently used leaves. Default 10,000. */
  maxEntriesPerNamespace?: number;
  /** Most vectors of one partition. Default: the namespace cap. */
  maxEntriesPerPartition?: number;
  /** Partitions with at least this many vectors compare sign codes before vectors. Default 256. */
  filterFrom?: number;
  /** Sign code length. Default 256 bits. */
  codeBits?: number;
  /** Expired vectors are swept out at most this often (on an add or a lookup). Default 5,000 ms. */
  sweepEveryMs?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  clock?: () => number;
}

/** One indexed cache entry: where it lives in the index and until when it is fresh in the store. */
interface IndexedEntry {
  id: string;
  namespace: string;
  partition: string;
  expiresAt: number;
  addedAt: number;
}

export interface IndexAddition {
  /** The store key of the entry. */
  id: string;
  namespace: string;
  partition: string;
  /** The vector, or its preparation from a search (which it then shares, sign code included). */
  vector: readonly number[] | PreparedVector;
  /** The entry's guard key (guard-key.ts): a search given a key compares only the entries added with it. */
  key?: number;
  /** When the store drops the entry (its TTL); the index drops it then too. */
  expiresAt: number;
}

/**
 * The semantic cache's in-memory vector index, bounded. Entries are grouped by partition
 * (a match never crosses one) and counted per tenant namespace and in total; each of the
 * three caps evicts its least recently used entry (added or served) to make room. Expired
 * entries are swept out; `remove` and `reconcile` take out what left the store. A search
 * given a key (the semantic cache's guard key, guard-key.ts) compares exactly the
 * partition's entries of that key only; without one, each partition is a contiguous exact
 * scan, filtered by sign codes once it is large (see partition-vectors.ts): pure
 * TypeScript, nothing to compile at install.
 */
export function createVectorIndex(options: VectorIndexOptions) {
  const maxEntries = options.maxEntries ?? 50_000;
  const maxPerNamespace = options.maxEntriesPerNamespace ?? 10_000;
  const maxPerPartition = options.maxEntriesPerPartition ?? maxPerNamespace;
  const filterFrom = options.filterFrom ?? 256;
  const sweepEveryMs = options.sweepEveryMs ?? 5_000;
  const clock = options.clock ?? Date.now;
  let dimensions = options.dimensions;
  let codes: SignCodes | undefined;
  let lastSweep = clock();

  /** Every entry, least recently used first (a Map keeps insertion order; a touch re-inserts). */
  const entries = new Map<string, IndexedEntry>();
  const namespaces = new Map<string, Map<string, IndexedEntry>>();
  const partitions = new Map<string, { vectors: PartitionVectors; entries: Map<string, IndexedEntry> }>();

  const remove = (id: string): boolean => {
    const entry = entries.get(id);
    if (!entry) return false;
    entries.delete(id);
    const namespace = namespaces.get(entry.namespace);
    namespace?.delete(id);
    if (namespace?.size === 0) namespaces.delete(entry.namespace);
    const partition = partitions.get(entry.partition);
    partition?.entries.delete(id);
    partition?.vectors.remove(id);
    if (partition?.entries.size === 0) partitions.delete(entry.partition);
    return true;
  };

  const expire = (): number => {
    const now = clock();
    lastSweep = now;
    let removed = 0;
    for (const entry of entries.values()) if (entry.expiresAt <= now && remove(entry.id)) removed++;
    return removed;
  };
  const sweepIfDue = () => {
    if (clock() - lastSweep >= sweepEveryMs) expire();
  };

  /** Evicts the least recently used of `group` while it is at `cap`. */
  const makeRoom = (group: Map<string, IndexedEntry> | undefined, cap: number, evicted: string[]) => {
    while (group && group.size >= cap) {
      const oldest = group.keys().next().value as string;
      remove(oldest);
      evicted.push(oldest);
    }
  };

  const touch = (id: string): void => {
    const entry = entries.get(id);
    if (!entry) return;
    for (const group of [entries, namespaces.get(entry.namespace), partitions.get(entry.partition)?.entries]) {
      group?.delete(id);
      group?.set(id, entry);
    }
  };

  return {
    has: (id: string): boolean => entries.has(id),
    /**
     * Adds (or replaces) an entry's vector. `evicted` lists the ids that left to make room
     * (the caller deletes them from the store); `added` is false for a vector of the wrong size.
     */
    add(addition: IndexAddition): { added: boolean; evicted: string[] } {
      const vector = preparedOf(addition.vector);
      if (dimensions === 0) dimensions = vector.values.length;
      if (vector.values.length !== dimensions) return { added: false, evicted: [] };
      codes ??= createSignCodes({ dimensions, bits: options.codeBits });
      sweepIfDue();
      remove(addition.id);
      const evicted: string[] = [];
      makeRoom(partitions.get(addition.partition)?.entries, maxPerPartition, evicted);
      makeRoom(namespaces.get(addition.namespace), maxPerNamespace, evicted);
      makeRoom(entries, maxEntries, evicted);
      const entry: IndexedEntry = {
        id: addition.id,
        namespace: addition.namespace,
        partition: addition.partition,
        expiresAt: addition.expiresAt,
        addedAt: clock(),
      };
      entries.set(entry.id, entry);
      const namespace = namespaces.get(entry.namespace) ?? new Map<string, IndexedEntry>();
      namespaces.set(entry.namespace, namespace);
      namespace.set(entry.id, entry);
      let partition = partitions.get(entry.partition);
      if (!partition) {
        partition = { vectors: createPartitionVectors({ dimensions, codes }), entries: new Map() };
        partitions.set(entry.partition, partition);
      }
      partition.entries.set(entry.id, entry);
      partition.vectors.add(entry.id, vector, addition.key);
      return { added: true, evicted };
    },
    remove,
    /** Marks an entry as just used (served), so the caps evict it last. */
    touch,
    /** Removes every expired entry now; how many left. */
    expire,
    /** Removes the entries added before `since` that are not in `present` (the store's keys); how many left. */
    reconcile(present: ReadonlySet<string>, since: number): number {
      let removed = 0;
      for (const entry of entries.values())
        if (entry.addedAt < since && !present.has(entry.id) && remove(entry.id)) removed++;
      return removed;
    },
    /**
     * The most similar entries of a partition, best first, at most `count`. Entries below
     * `minSimilarity` may be left out (large partitions skip them by their sign codes).
     * With a `key`, only the entries added with that key are compared, each exactly: the
     * cost is the bucket's size, not the partition's.
     */
    search(
      partition: string,
      vector: readonly number[] | PreparedVector,
      query: { count: number; minSimilarity: number; key?: number },
    ): Neighbour[] {
      sweepIfDue();
      const found = partitions.get(partition);
      if (!found || !codes || valuesOf(vector).length !== dimensions) return [];
      const prepared = preparedOf(vector);
      if (query.key !== undefined)
        return found.vectors.search({ vector: prepared, key: query.key, count: query.count });
      const bounds = found.vectors.size >= filterFrom ? codes.bounds(query.minSimilarity) : undefined;
      if (!bounds) return found.vectors.search({ vector: prepared, count: query.count });
      prepared.code ??= codes.code(prepared);
      return found.vectors.search({ vector: prepared, filter: { code: prepared.code, bounds }, count: query.count });
    },
    /**
     * Draws the sign codes' hyperplanes now (for 512 dimensions, 256 x 512 Gaussian values:
     * about 50-100 ms of CPU on the project machine) and codes one vector, instead of during
     * the first miss that adds an entry. False while the dimensions are unknown (taken from
     * the first vector added).
     */
    warmUp(): boolean {
      if (dimensions === 0) return false;
      codes ??= createSignCodes({ dimensions, bits: options.codeBits });
      const unit = new Array<number>(dimensions).fill(0);
      unit[0] = 1;
      codes.code(prepareVector(unit));
      return true;
    },
    /** Readies a vector once for a search and the add after it (see PreparedVector). */
    prepare: (vector: readonly number[]): PreparedVector => prepareVector(vector),
    /** Vectors held, partitions, namespaces, and bytes of vectors and codes (plus an estimate of bookkeeping). */
    stats(): { vectors: number; partitions: number; namespaces: number; bytes: number } {
      let bytes = entries.size * 200;
      for (const partition of partitions.values()) bytes += partition.vectors.bytes();
      return { vectors: entries.size, partitions: partitions.size, namespaces: namespaces.size, bytes };
    },
    /** Ids added with `key` in a partition (for tests of the buckets' consistency). */
    idsOfKey: (partition: string, key: number): readonly string[] =>
      partitions.get(partition)?.vectors.idsOfKey(key) ?? [],
    /** Vectors held by one namespace. */
    namespaceSize: (namespace: string): number => namespaces.get(namespace)?.size ?? 0,
  };
}

export type VectorIndex = ReturnType<typeof createVectorIndex>;

// Not `"values" in vector`: every array has a `values` method.
const isPrepared = (vector: readonly number[] | PreparedVector): vector is PreparedVector => !Array.isArray(vector);

function valuesOf(vector: readonly number[] | PreparedVector): { length: number } {
  return isPrepared(vector) ? vector.values : vector;
}

function preparedOf(vector: readonly number[] | PreparedVector): PreparedVector {
  return isPrepared(vector) ? vector : prepareVector(vector as readonly number[]);
}
