// The seeded generator and the question shapes both semantic-index benchmarks draw from
// (vector-lookup.ts and semantic-corpus.ts), so their synthetic questions stay alike.

/** mulberry32: the same questions on every run. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Made-up words are two or three of these, so no question leans on a real word's meaning. */
export const SYLLABLES = "ka lo mi ter van sul dor pex rin tal mor ve zin qua bel hon tra gul fen".split(" ");

/** A question as stored and the same question in other words around the same content words. */
export const TEMPLATES: Array<[(words: string[]) => string, (words: string[]) => string]> = [
  [
    (w) => `How do I ${w[0]} a ${w[1]} ${w[2]} for my ${w[3]}?`,
    (w) => `how can i ${w[0]} a ${w[1]} ${w[2]} for my ${w[3]}`,
  ],
  [(w) => `What is the best way to ${w[0]} ${w[2]} with ${w[3]}?`, (w) => `Best way to ${w[0]} ${w[2]} with ${w[3]}?`],
  [
    (w) => `Explain ${w[1]} ${w[2]} and ${w[3]} in simple terms`,
    (w) => `Please explain ${w[1]} ${w[2]} and ${w[3]} simply`,
  ],
  [
    (w) => `Why does my ${w[2]} ${w[0]} when the ${w[3]} is ${w[1]}?`,
    (w) => `why does my ${w[2]} ${w[0]} when the ${w[3]} is ${w[1]}`,
  ],
];
