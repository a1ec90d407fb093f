// pnpm --filter @keel/cache bench:vectors [--sizes 10000,100000] [--runs 5] [--queries 1000]
// Lookup latency of the semantic cache's vector index with N entries in one partition, the
// index's recall against an exact scan, and the labelled pairs' hits and false hits when
// they share that partition with N other questions. Vectors come from the local embedder
// (512 dimensions) over synthetic questions; the numbers depend on the machine and its load.
import { performance } from "node:perf_hooks";
import { loadPairs } from "../eval/evaluate.ts";
import { embedText } from "../src/local-embedder.ts";
import { guardRejection } from "../src/semantic-guard.ts";
import { textFeatures } from "../src/text-features.ts";
import { createVectorIndex } from "../src/vector-index.ts";
import { createRandom, SYLLABLES, TEMPLATES } from "./question-templates.ts";

const DIMENSIONS = 512;
const THRESHOLD = 0.8;
const PARTITION = "bench";
/** What the semantic cache asks of the index per lookup (semantic-cache-engine.ts). */
const LOOKUP = { count: 4, minSimilarity: THRESHOLD };
const add = (index: ReturnType<typeof createVectorIndex>, id: string, vector: number[]) =>
  index.add({ id, namespace: "bench", partition: PARTITION, vector, expiresAt: Number.MAX_SAFE_INTEGER });

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const sizes = argument("sizes", "10000,100000").split(",").map(Number);
const runs = Number(argument("runs", "5"));
const queryCount = Number(argument("queries", "1000"));

const random = createRandom(20_240_601);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const word = () => Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(SYLLABLES)).join("");
const vocabulary = Array.from(new Set(Array.from({ length: 4_000 }, word)));

interface Question {
  stored: string;
  /** The same question in other words (another template around the same content words). */
  asked: string;
}
const question = (): Question => {
  const words = [pick(vocabulary), pick(vocabulary), pick(vocabulary), pick(vocabulary)];
  const [stored, asked] = pick(TEMPLATES);
  return { stored: stored(words), asked: asked(words) };
};

const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], share: number) =>
  [...values].sort((left, right) => left - right)[Math.min(values.length - 1, Math.floor(values.length * share))]!;
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const collect = () => (globalThis as { gc?: () => void }).gc?.();

function exactBest(vectors: Float32Array[], query: number[]): number {
  let best = -1;
  let bestSimilarity = -Infinity;
  for (let index = 0; index < vectors.length; index++) {
    const vector = vectors[index]!;
    let dot = 0;
    for (let dimension = 0; dimension < DIMENSIONS; dimension++) dot += vector[dimension]! * query[dimension]!;
    if (dot > bestSimilarity) {
      bestSimilarity = dot;
      best = index;
    }
  }
  return best;
}

console.log(
  `vector index lookup, ${DIMENSIONS} dimensions, one partition; ${runs} runs of ${queryCount} lookups (top 4)`,
);
console.log(`node ${process.version}, ${new Date().toISOString()}\n`);

const empty = createVectorIndex({ dimensions: DIMENSIONS });
console.log(`labelled pairs alone in one partition: ${labelledPairs(empty)}\n`);

for (const size of sizes) {
  const questions = Array.from({ length: size }, question);
  const vectors = questions.map((entry) => embedText(entry.stored, DIMENSIONS));
  const targets = Array.from({ length: queryCount }, () => Math.floor(random() * size));
  const queries = targets.map((target) => embedText(questions[target]!.asked, DIMENSIONS));

  collect();
  const before = process.memoryUsage();
  const index = createVectorIndex({
    dimensions: DIMENSIONS,
    maxEntries: size + 1_000,
    maxEntriesPerNamespace: size + 1_000,
  });
  const buildStarted = performance.now();
  for (const [position, vector] of vectors.entries()) add(index, `q${position}`, vector);
  // The first filtered search computes the sign codes of entries added without one: part of the build.
  index.search(PARTITION, vectors[0]!, LOOKUP);
  const buildMs = performance.now() - buildStarted;
  collect();
  const after = process.memoryUsage();

  const medians: number[] = [];
  const tails: number[] = [];
  for (let run = 0; run < runs; run++) {
    const timings: number[] = [];
    for (const query of queries) {
      const started = performance.now();
      index.search(PARTITION, query, LOOKUP);
      timings.push(performance.now() - started);
    }
    medians.push(median(timings));
    tails.push(percentile(timings, 0.99));
  }

  const exact = vectors.map((vector) => Float32Array.from(vector));
  const truth = queries.map((query) => exactBest(exact, query));
  let agreed = 0;
  let targetFound = 0;
  for (const [position, query] of queries.entries()) {
    const found = index.search(PARTITION, query, LOOKUP);
    if (found[0]?.id === `q${truth[position]}`) agreed++;
    if (found.some((neighbour) => neighbour.id === `q${targets[position]}`)) targetFound++;
  }

  const labelled = labelledPairs(index);
  console.log(
    `${size.toLocaleString("en")} entries: lookup median ${median(medians).toFixed(3)} ms, p99 ${median(tails).toFixed(3)} ms` +
      ` (per-run medians ${medians.map((value) => value.toFixed(3)).join(" ")})`,
  );
  console.log(
    `  build ${(buildMs / 1000).toFixed(1)} s (${((buildMs * 1000) / size).toFixed(0)} µs per add);` +
      ` heap +${megabytes(after.heapUsed - before.heapUsed)}, array buffers +${megabytes(after.arrayBuffers - before.arrayBuffers)}, rss +${megabytes(after.rss - before.rss)}`,
  );
  console.log(
    `  top-1 equal to an exact scan ${((agreed / queryCount) * 100).toFixed(1)}%; asked question's own entry in the top 4 ${((targetFound / queryCount) * 100).toFixed(1)}%`,
  );
  console.log(`  labelled pairs among them: ${labelled}\n`);
}

/**
 * The labelled pairs' stored questions added to the bench partition, each asked question looked
 * up through the engine's loop (top 4, threshold, guard), scored as eval/evaluate.ts scores its
 * shared index: a hit serves the partner (or the same words); anything else served is wrong.
 */
function labelledPairs(index: ReturnType<typeof createVectorIndex>): string {
  const pairs = loadPairs();
  const textOf = new Map<string, string>();
  for (const [position, [stored]] of [...pairs.paraphrases, ...pairs.nearMisses].entries()) {
    textOf.set(`pair${position}`, stored);
    add(index, `pair${position}`, embedText(stored, DIMENSIONS));
  }
  const served = (asked: string): string | undefined => {
    const features = textFeatures(asked);
    for (const candidate of index.search(PARTITION, embedText(asked, DIMENSIONS), LOOKUP)) {
      if (candidate.similarity < THRESHOLD) break;
      const stored = textOf.get(candidate.id);
      if (stored === undefined) continue;
      if (guardRejection(features, textFeatures(stored)) === undefined) return stored;
    }
    return undefined;
  };
  const plain = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .trim();
  let hits = 0;
  let wrong = 0;
  for (const [stored, asked] of pairs.paraphrases) {
    const answer = served(asked);
    if (answer === stored || (answer !== undefined && plain(answer) === plain(asked))) hits++;
    else if (answer !== undefined) wrong++;
  }
  for (const [, asked] of pairs.nearMisses) {
    const answer = served(asked);
    if (answer !== undefined && plain(answer) !== plain(asked)) wrong++;
  }
  return `${hits}/${pairs.paraphrases.length} paraphrases hit, ${wrong} wrong answers served`;
}
