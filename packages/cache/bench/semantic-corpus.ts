// Seeded questions for measuring the semantic index against the whole-partition scan
// (guard-key-recall.ts and guard-key.test.ts): what bench:overhead sends, near-identical
// templated prompts, reworded questions, and the labelled pairs, each with how it is asked
// again (a paraphrase that should hit) and, for the templated ones, a near miss.
import { loadPairs } from "../eval/evaluate.ts";
import { createRandom, SYLLABLES, TEMPLATES as ALL_TEMPLATES } from "./question-templates.ts";

export { createRandom } from "./question-templates.ts";

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
/** The first three shapes only: the figures in the READMEs were measured with these. */
const TEMPLATES = ALL_TEMPLATES.slice(0, 3);

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
