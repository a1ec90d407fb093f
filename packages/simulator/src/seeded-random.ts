/** Seed used when the options name none, so runs are reproducible by default. */
export const DEFAULT_SEED = 1;

/**
 * A small deterministic generator (mulberry32): the same seed always yields the same
 * sequence of numbers in [0, 1). Enough for fault injection; not for anything secret.
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
