// Seeded questions for measuring the semantic index against the whole-partition scan
// (guard-key-recall.ts and guard-key.test.ts): what bench:overhead sends, near-identical
// templated prompts, reworded questions, and the labelled pairs, each with how it is asked
// again (a paraphrase that should hit) and, for the templated ones, a near miss.
import { loadPairs } from "../eval/evaluate.ts";

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

export interface CorpusQuestion {
  kind: "generated" | "templated" | "reworded" | "labelled";
  stored: string;
  /** The same question in other words: should be served the stored answer. */
  paraphrase: string;
  /** Another question that looks alike: must never be served the stored answer (absent: none). */
  nearMiss?: string;
}

// The shape of bench/src/request-targets.ts's uniqueMessage (eight words and a sequence number).
const BENCH_WORDS = (
  "harbour lantern granite tide beacon keeper storm fog signal coast reef cliff island shipwreck compass " +
  "chart voyage anchor sail mast rope timber oak maple river valley meadow orchard village market bakery " +
  "bread cheese honey garden rose tulip violet thunder lightning rain snow winter autumn summer spring"
).split(" ");
const SYLLABLES = "ka lo mi ter van sul dor pex rin tal mor ve zin qua bel hon tra gul fen".split(" ");
const TEMPLATES: Array<[(w: string[]) => string, (w: string[]) => string]> = [
  [
    (w) => `How do I ${w[0]} a ${w[1]} ${w[2]} for my ${w[3]}?`,
    (w) => `how can i ${w[0]} a ${w[1]} ${w[2]} for my ${w[3]}`,
  ],
  [(w) => `What is the best way to ${w[0]} ${w[2]} with ${w[3]}?`, (w) => `Best way to ${w[0]} ${w[2]} with ${w[3]}?`],
  [
    (w) => `Explain ${w[1]} ${w[2]} and ${w[3]} in simple terms`,
    (w) => `Please explain ${w[1]} ${w[2]} and ${w[3]} simply`,
  ],
];

/**
 * `size` questions, seeded: 40 % generated as bench:overhead sends them, 30 % templated
 * ("... ticket number 17 ..."; all alike but for the number: the filtered scan's worst case),
 * 30 % reworded questions over made-up words, and the labelled pairs
 * (eval/semantic-pairs*.json) on top.
 */
export function createCorpus(size: number, seed = 20_261_202): CorpusQuestion[] {
  const random = createRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const madeUp = () => Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(SYLLABLES)).join("");
  const vocabulary = Array.from(new Set(Array.from({ length: 4_000 }, madeUp)));
  const questions: CorpusQuestion[] = [];
  for (let position = 0; position < size; position++) {
    const share = position % 10;
    if (share < 4) {
      const words = Array.from({ length: 8 }, () => pick(BENCH_WORDS)).join(" ");
      questions.push({
        kind: "generated",
        stored: `Write one sentence about ${words} (${position}).`,
        paraphrase: `Please write one sentence about ${words} (${position})`,
      });
    } else if (share < 7) {
      const team = pick(["billing", "support", "shipping"]);
      questions.push({
        kind: "templated",
        stored: `Summarise ticket number ${position} for the ${team} team.`,
        paraphrase: `Please summarise ticket number ${position} for the ${team} team`,
        nearMiss: `Summarise ticket number ${position + 1_000_000} for the ${team} team.`,
      });
    } else {
      const words = [pick(vocabulary), pick(vocabulary), pick(vocabulary), pick(vocabulary)];
      const [stored, asked] = pick(TEMPLATES);
      questions.push({ kind: "reworded", stored: stored(words), paraphrase: asked(words) });
    }
  }
  for (const file of ["semantic-pairs.json", "semantic-pairs-holdout.json"]) {
    const pairs = loadPairs(file);
    for (const [stored, paraphrase] of pairs.paraphrases) questions.push({ kind: "labelled", stored, paraphrase });
    for (const [stored, nearMiss] of pairs.nearMisses)
      questions.push({ kind: "labelled", stored, paraphrase: stored, nearMiss });
  }
  return questions;
}
