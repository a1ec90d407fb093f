import hnswlib from "hnswlib-node";

export interface VectorIndexOptions {
  /** 0: learned from the first vector added. */
  dimensions: number;
  /** Most vectors one partition holds; past it new entries are not indexed. Default 100,000. */
  maxPerPartition?: number;
  /** A partition switches from an exact scan to HNSW when it grows past this. Default 512. */
  hnswFrom?: number;
  /** HNSW graph degree. Default 16. */
  m?: number;
  /** Default 200. */
  efConstruction?: number;
  /** Search breadth; higher finds true neighbours more often. Default 64. */
  efSearch?: number;
}

interface Graph {
  index: hnswlib.HierarchicalNSW;
  labelOf: Map<string, number>;
  idOf: Map<number, string>;
  nextLabel: number;
  /** Labels marked deleted, reused by the next additions. */
  free: number[];
}

/** Small partitions are scanned exactly; large ones are an HNSW graph. */
type Partition = { flat: Map<string, Float32Array>; graph?: undefined } | { flat?: undefined; graph: Graph };

export interface Neighbour {
  id: string;
  similarity: number;
}

/**
 * Per-partition nearest-neighbour indexes in this process's memory (cosine similarity on
 * normalised vectors). A partition starts as an exact scan and becomes an hnswlib HNSW
 * graph once it holds `hnswFrom` vectors: creating an hnswlib index costs tens of ms and
 * megabytes up front, which most partitions (one per tenant x model x parameters x
 * earlier turns) never repay. HNSW deletion marks a vector and reuses its slot; the graph
 * is never compacted.
 */
export function createVectorIndex(options: VectorIndexOptions) {
  const partitions = new Map<string, Partition>();
  const maxPerPartition = options.maxPerPartition ?? 100_000;
  const hnswFrom = options.hnswFrom ?? 512;
  let dimensions = options.dimensions;

  const toGraph = (flat: Map<string, Float32Array>): Graph => {
    const index = new hnswlib.HierarchicalNSW("ip", dimensions);
    index.initIndex({
      maxElements: Math.max(1_024, flat.size * 2),
      m: options.m ?? 16,
      efConstruction: options.efConstruction ?? 200,
      allowReplaceDeleted: true,
    });
    index.setEf(options.efSearch ?? 64);
    const graph: Graph = { index, labelOf: new Map(), idOf: new Map(), nextLabel: 0, free: [] };
    for (const [id, vector] of flat) addToGraph(graph, id, Array.from(vector));
    return graph;
  };

  const addToGraph = (graph: Graph, id: string, vector: number[]): boolean => {
    const reused = graph.free.pop();
    const label = reused ?? graph.nextLabel;
    if (reused === undefined) {
      if (label >= maxPerPartition) return false;
      if (label >= graph.index.getMaxElements())
        graph.index.resizeIndex(Math.min(maxPerPartition, graph.index.getMaxElements() * 2));
      graph.nextLabel++;
    }
    graph.index.addPoint(vector, label, reused !== undefined);
    graph.labelOf.set(id, label);
    graph.idOf.set(label, id);
    return true;
  };

  const remove = (name: string, id: string): void => {
    const partition = partitions.get(name);
    if (!partition) return;
    if (partition.flat) {
      partition.flat.delete(id);
      return;
    }
    const label = partition.graph.labelOf.get(id);
    if (label === undefined) return;
    partition.graph.index.markDelete(label);
    partition.graph.labelOf.delete(id);
    partition.graph.idOf.delete(label);
    partition.graph.free.push(label);
  };

  return {
    has: (name: string, id: string): boolean => {
      const partition = partitions.get(name);
      return partition ? (partition.flat ? partition.flat.has(id) : partition.graph.labelOf.has(id)) : false;
    },
    /** Adds (or replaces) a vector; false when the partition is full or the vector has the wrong size. */
    add(name: string, id: string, vector: number[]): boolean {
      if (dimensions === 0) dimensions = vector.length;
      if (vector.length !== dimensions) return false;
      remove(name, id);
      let partition = partitions.get(name);
      if (!partition) {
        partition = { flat: new Map() };
        partitions.set(name, partition);
      }
      if (partition.flat) {
        if (partition.flat.size >= maxPerPartition) return false;
        partition.flat.set(id, Float32Array.from(vector));
        if (partition.flat.size >= hnswFrom) partitions.set(name, { graph: toGraph(partition.flat) });
        return true;
      }
      return addToGraph(partition.graph, id, vector);
    },
    remove,
    /** The nearest ids by cosine similarity, best first. */
    search(name: string, vector: number[], count: number): Neighbour[] {
      const partition = partitions.get(name);
      if (!partition || vector.length !== dimensions) return [];
      if (partition.flat) return scan(partition.flat, vector, count);
      const live = partition.graph.labelOf.size;
      if (live === 0) return [];
      const result = partition.graph.index.searchKnn(vector, Math.min(count, live));
      const found: Neighbour[] = [];
      result.neighbors.forEach((label, index) => {
        const id = partition.graph.idOf.get(label);
        if (id !== undefined) found.push({ id, similarity: 1 - (result.distances[index] ?? 1) });
      });
      return found.sort((left, right) => right.similarity - left.similarity);
    },
    /** Vectors held, and how many partitions are HNSW graphs. */
    stats(): { vectors: number; partitions: number; graphs: number } {
      let vectors = 0;
      let graphs = 0;
      for (const partition of partitions.values()) {
        if (partition.flat) vectors += partition.flat.size;
        else {
          vectors += partition.graph.labelOf.size;
          graphs++;
        }
      }
      return { vectors, partitions: partitions.size, graphs };
    },
  };
}

function scan(flat: Map<string, Float32Array>, vector: number[], count: number): Neighbour[] {
  const best: Neighbour[] = [];
  for (const [id, candidate] of flat) {
    let dot = 0;
    for (let index = 0; index < candidate.length; index++) dot += candidate[index]! * vector[index]!;
    if (best.length < count || dot > best[best.length - 1]!.similarity) {
      best.push({ id, similarity: dot });
      best.sort((left, right) => right.similarity - left.similarity);
      if (best.length > count) best.pop();
    }
  }
  return best;
}

export type VectorIndex = ReturnType<typeof createVectorIndex>;
