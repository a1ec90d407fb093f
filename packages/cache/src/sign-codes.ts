import type { PreparedVector } from "./prepared-vector.ts";

/**
 * Sign codes (SimHash, Charikar 2002): bit i of a vector's code is the sign of its dot
 * product with random hyperplane i. Two vectors at angle θ differ in each bit with
 * probability θ/π, so the number of differing bits tells, cheaply, which stored vectors
 * cannot be as similar as the semantic threshold asks. The hyperplanes are Gaussian and
 * seeded, so every process draws the same ones; codes live only in memory.
 */
export function createSignCodes(options: { dimensions: number; bits?: number }) {
  const { dimensions } = options;
  const bits = options.bits ?? 256;
  const words = Math.ceil(bits / 32);
  const planes = byPlace(gaussianPlanes(bits * dimensions, 0x51_6e_5eed), { bits, dimensions });
  // One projection per bit, reused: code() runs to its end synchronously.
  const projections = new Float64Array(bits);

  return {
    bits,
    words,
    /** The code of `vector` (`words` words). */
    code(vector: PreparedVector): Uint32Array {
      const into = new Uint32Array(words);
      // Only non-zero components count: the local embedder's vectors are mostly zeros. Place
      // by place (ascending), each adding to every bit's projection from one contiguous row:
      // the same additions in the same order as bit by bit, without a strided read per term.
      const { values, nonZero } = vector;
      projections.fill(0);
      for (let index = 0; index < nonZero.length; index++) {
        const place = nonZero[index]!;
        const value = values[place]!;
        const base = place * bits;
        for (let bit = 0; bit < bits; bit++) projections[bit]! += planes[base + bit]! * value;
      }
      for (let bit = 0; bit < bits; bit++) if (projections[bit]! >= 0) into[bit >>> 5]! |= 1 << (bit & 31);
      return into;
    },
    /**
     * For each prefix of the code (1, 2, ... words), the most differing bits a vector with
     * cosine similarity `minSimilarity` shows in it, but for a chance below one in a million
     * per prefix: the binomial's mean (bits x θ/π) plus five standard deviations. A scan
     * checks them word by word, so most entries are dropped after two or three words.
     * Undefined when the threshold gives no useful bound (the scan is then exact).
     */
    bounds(minSimilarity: number): Uint16Array | undefined {
      if (!(minSimilarity > 0)) return undefined;
      const share = Math.acos(Math.min(1, minSimilarity)) / Math.PI;
      const bounds = new Uint16Array(words);
      for (let word = 0; word < words; word++) {
        const prefixBits = Math.min(bits, (word + 1) * 32);
        bounds[word] = Math.min(
          prefixBits,
          Math.ceil(prefixBits * share + 5 * Math.sqrt(prefixBits * share * (1 - share))),
        );
      }
      return bounds[words - 1]! >= bits / 2 ? undefined : bounds;
    },
  };
}

/** Whether the code at word `offset` of `codes` stays within `bounds` of `query`, checked word by word. */
export function withinBounds(
  codes: Uint32Array,
  offset: number,
  query: { code: Uint32Array; bounds: Uint16Array },
): boolean {
  let count = 0;
  for (let word = 0; word < query.code.length; word++) {
    let value = (codes[offset + word]! ^ query.code[word]!) >>> 0;
    value -= (value >>> 1) & 0x55555555;
    value = (value & 0x33333333) + ((value >>> 2) & 0x33333333);
    count += Math.imul((value + (value >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    if (count > query.bounds[word]!) return false;
  }
  return true;
}

/** The hyperplanes drawn bit by bit (`bit * dimensions + place`), laid out place by place (`place * bits + bit`). */
function byPlace(planes: Float32Array, shape: { bits: number; dimensions: number }): Float32Array {
  const { bits, dimensions } = shape;
  const laidOut = new Float32Array(planes.length);
  for (let bit = 0; bit < bits; bit++)
    for (let place = 0; place < dimensions; place++) laidOut[place * bits + bit] = planes[bit * dimensions + place]!;
  return laidOut;
}

/** Standard normal values (Box-Muller) from a seeded mulberry32. */
function gaussianPlanes(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return (((value ^ (value >>> 14)) >>> 0) + 0.5) / 4_294_967_296;
  };
  const planes = new Float32Array(length);
  for (let index = 0; index < length; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    planes[index] = radius * Math.cos(angle);
    if (index + 1 < length) planes[index + 1] = radius * Math.sin(angle);
  }
  return planes;
}

export type SignCodes = ReturnType<typeof createSignCodes>;
