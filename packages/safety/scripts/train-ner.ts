/**
 * Trains the NER tagger and writes src/ner/weights/ner-model.bin.
 *
 * Data: sentences generated from scripts/ner/templates.ts with faker's names, places, streets
 * and companies, plus the committed train split of the Presidio sentences
 * (eval/data/pii-train.jsonl). Everything is seeded: the same inputs give the same file.
 *
 * Usage: pnpm --filter @keel/safety train:ner [--sentences N] [--epochs N] [--rows N]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { TypedSpan } from "../eval/token-scoring.ts";
import { classOfKind, createLabelSet } from "../src/ner/labels.ts";
import { encodeModel } from "../src/ner/model.ts";
import { createTaggerWorkspace, prepareInput } from "../src/ner/tagger.ts";
import { buildGazetteer } from "./ner/build-gazetteer.ts";
import { compressWeights } from "./ner/compress-weights.ts";
import { gatherFakerLists } from "./ner/faker-lists.ts";
import { createRandom, generateSentences, type LabelledSentence } from "./ner/generate-sentences.ts";
import { AveragedPerceptron, type PreparedSentence, prepareSentence } from "./ner/perceptron.ts";

const { values } = parseArgs({
  options: {
    sentences: { type: "string", default: "30000" },
    epochs: { type: "string", default: "8" },
    rows: { type: "string", default: "120000" },
    "presidio-copies": { type: "string", default: "3" },
    seed: { type: "string", default: "20240601" },
  },
});
const seed = Number(values.seed);
// 2^18 buckets: the dense int16 table the tagger scores from is then 8 MB and mostly cache-friendly.
const hashBits = 18;
export const nerKinds = ["PERSON", "GPE", "ORGANIZATION", "STREET_ADDRESS", "TITLE", "NRP", "ZIP_CODE"];
const aliases: Readonly<Record<string, string>> = { LOCATION: "GPE" };
const started = Date.now();
const log = (message: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);

const lists = gatherFakerLists();
const gazetteer = buildGazetteer(lists, seed);
log(`gazetteer: ${gazetteer.size} words`);

const presidio = readFileSync(new URL("../eval/data/pii-train.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as LabelledSentence);
const generated = generateSentences(Number(values.sentences), seed);
const sentences = [...generated];
for (let copy = 0; copy < Number(values["presidio-copies"]); copy++) sentences.push(...presidio);
log(`sentences: ${generated.length} generated + ${presidio.length} x ${values["presidio-copies"]} Presidio train`);

const labels = createLabelSet(nerKinds);
const workspace = createTaggerWorkspace(labels.classCount);
const prepared: PreparedSentence[] = sentences.map((sentence) => {
  const input = prepareInput(sentence.text, { workspace, model: { gazetteer, hashBits } });
  return prepareSentence(input, goldClasses(sentence.spans, input.tokens));
});
log(`features prepared for ${prepared.reduce((sum, sentence) => sum + sentence.gold.length, 0)} tokens`);

const perceptron = new AveragedPerceptron({ buckets: 1 << hashBits, classCount: labels.classCount });
const random = createRandom(seed);
const order = prepared.map((_, index) => index);
for (let epoch = 1; epoch <= Number(values.epochs); epoch++) {
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other] ?? 0, order[index] ?? 0];
  }
  let mistakes = 0;
  let tokens = 0;
  for (const index of order) {
    const sentence = prepared[index];
    if (!sentence) continue;
    mistakes += perceptron.train(sentence);
    tokens += sentence.gold.length;
  }
  log(`epoch ${epoch}: ${((100 * mistakes) / tokens).toFixed(2)} % of tokens wrong while training`);
}

const { buckets, quantised, scales } = compressWeights(perceptron.average(), {
  classCount: labels.classCount,
  rowBudget: Number(values.rows),
});
const entries = [...gazetteer.entries()].sort((left, right) => left[0] - right[0]);
const bytes = encodeModel({
  kinds: nerKinds,
  hashBits,
  buckets,
  weights: quantised,
  scales,
  gazetteerHashes: Uint32Array.from(entries, ([hash]) => hash),
  gazetteerMasks: Uint16Array.from(entries, ([, mask]) => mask),
});
const target = new URL("../src/ner/weights/ner-model.bin", import.meta.url);
writeFileSync(target, bytes);
log(`wrote ${target.pathname}: ${(bytes.length / 1024).toFixed(0)} KiB, ${buckets.length} feature rows`);

/** Per token: the class of the span's kind for tokens that start inside a span, outside (0) elsewhere. */
function goldClasses(spans: readonly TypedSpan[], tokens: { count: number; starts: Int32Array; ends: Int32Array }) {
  const gold = new Uint8Array(tokens.count);
  for (const span of spans) {
    const kindIndex = nerKinds.indexOf(aliases[span.type] ?? span.type);
    if (kindIndex < 0) continue;
    for (let position = 0; position < tokens.count; position++) {
      const start = tokens.starts[position] ?? 0;
      if (start < span.start || start >= span.end || gold[position] !== 0) continue;
      gold[position] = classOfKind(kindIndex);
    }
  }
  return gold;
}
