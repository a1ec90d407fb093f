// pnpm --filter @keel/cache bench:semantic-index [--sizes 1000,5000,10000,50000] [--queries 200] [--rounds 5]
// The semantic lookup before and after the guard key, in one run, on one index per size
// (one partition of N seeded questions, bench/semantic-corpus.ts): what each path serves
// (recall of the scan's answers, answers only one path serves), recall@threshold of the
// guard-passing entries against an exact comparison with every entry, CPU per lookup by
// kind of query (embedding excluded: the same for both), and the index's memory per entry
// with and without keys. Before = the whole-partition scan with the sign-code filter; after
// = the query's guard-key bucket. The numbers depend on the machine and its load.
import { guardKey } from "../src/guard-key.ts";
import { createKeyBuckets } from "../src/key-buckets.ts";
import { embedText } from "../src/local-embedder.ts";
import { dotAt, prepareVector, type PreparedVector } from "../src/prepared-vector.ts";
import { guardRejection } from "../src/semantic-guard.ts";
import { textFeatures, type TextFeatures } from "../src/text-features.ts";
import { createVectorIndex } from "../src/vector-index.ts";
import { servedBy } from "./guarded-lookup.ts";
import { type CorpusQuestion, createCorpus, createRandom } from "./semantic-corpus.ts";

const DIMENSIONS = 512;
const THRESHOLD = 0.8;
const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const sizes = argument("sizes", "1000,5000,10000,50000").split(",").map(Number);
const queriesPerKind = Number(argument("queries", "200"));
const rounds = Number(argument("rounds", "5"));
const collect = () => (globalThis as { gc?: () => void }).gc?.();
const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

interface Query {
  text: string;
  vector: PreparedVector;
}

console.log(`semantic lookup, guard key vs whole-partition scan; ${DIMENSIONS} dimensions, threshold ${THRESHOLD}`);
console.log(`node ${process.version}, ${new Date().toISOString()}\n`);

for (const size of sizes) {
  const corpus = createCorpus(size);
  const vectors = corpus.map((question) => embedText(question.stored, DIMENSIONS));
  const features = corpus.map((question) => textFeatures(question.stored));
  const build = (keyed: boolean) => {
    const index = createVectorIndex({
      dimensions: DIMENSIONS,
      maxEntries: corpus.length,
      maxEntriesPerNamespace: corpus.length,
    });
    for (const [position, vector] of vectors.entries())
      index.add({
        id: `q${position}`,
        namespace: "bench",
        partition: "bench",
        vector,
        expiresAt: Number.MAX_SAFE_INTEGER,
        key: keyed ? guardKey(features[position]!) : undefined,
      });
    return index;
  };

  const index = build(true);
  // Memory the keys add per entry: the buckets (built apart, over the same ids) and a key per place.
  const bucketIds = corpus.map((_, position) => `q${position}`);
  collect();
  const before = process.memoryUsage().heapUsed;
  const buckets = createKeyBuckets();
  for (const [position, id] of bucketIds.entries()) buckets.add(guardKey(features[position]!), id);
  collect();
  const keyBytes = (process.memoryUsage().heapUsed - before) / corpus.length + 8;
  const lookup = {
    index,
    partition: "bench",
    threshold: THRESHOLD,
    featuresOf: (id: string): TextFeatures | undefined => features[Number(id.slice(1))],
  };

  // Queries by kind: paraphrases of stored questions (should hit), templated near misses and
  // fresh generated prompts (misses, as bench:overhead sends), labelled pairs.
  const random = createRandom(size);
  const sample = (kind: CorpusQuestion["kind"]) => {
    const ofKind = corpus.filter((question) => question.kind === kind);
    return Array.from(
      { length: Math.min(queriesPerKind, ofKind.length) },
      () => ofKind[Math.floor(random() * ofKind.length)]!,
    );
  };
  const query = (text: string): Query => ({ text, vector: prepareVector(embedText(text, DIMENSIONS)) });
  const groups: Array<[string, Query[]]> = [
    [
      "generated miss (new prompt)",
      Array.from({ length: queriesPerKind }, (_, position) => query(freshPrompt(position))),
    ],
    ["templated near miss", sample("templated").map((question) => query(question.nearMiss!))],
    ["generated paraphrase", sample("generated").map((question) => query(question.paraphrase))],
    ["templated paraphrase", sample("templated").map((question) => query(question.paraphrase))],
    ["reworded paraphrase", sample("reworded").map((question) => query(question.paraphrase))],
    [
      "labelled pairs",
      corpus
        .filter((question) => question.kind === "labelled")
        .flatMap((question) => [question.paraphrase, ...(question.nearMiss ? [question.nearMiss] : [])])
        .map(query),
    ],
  ];
  // Warm-up, both paths (the scan's first lookup also computes every code it needs; the keyed path never does).
  for (const [, queries] of groups)
    for (const asked of queries) for (const keyed of [false, true]) servedBy(lookup, { ...asked, keyed });

  const data = Float32Array.from(vectors.flat());
  let scanServed = 0;
  let sameServed = 0;
  let keyOnly = 0;
  let differ = 0;
  let truthTotal = 0;
  let truthFoundKeyed = 0;
  let truthFoundScan = 0;
  for (const [, queries] of groups)
    for (const asked of queries) {
      const scan = servedBy(lookup, { ...asked, keyed: false });
      const keyed = servedBy(lookup, { ...asked, keyed: true });
      if (scan) scanServed++;
      if (scan && keyed?.id === scan.id) sameServed++;
      else if (scan) differ++;
      else if (keyed) keyOnly++;
      // Every entry at or above the threshold that the guard lets through, by an exact comparison with all.
      const askedFeatures = textFeatures(asked.text);
      const truth = new Set<string>();
      for (let position = 0; position < corpus.length; position++)
        if (
          dotAt(data, position * DIMENSIONS, asked.vector) >= THRESHOLD &&
          guardRejection(askedFeatures, features[position]!) === undefined
        )
          truth.add(`q${position}`);
      const found = (key: number | undefined) =>
        index
          .search("bench", asked.vector, { count: corpus.length, minSimilarity: THRESHOLD, key })
          .filter((neighbour) => neighbour.similarity >= THRESHOLD && truth.has(neighbour.id)).length;
      truthTotal += truth.size;
      truthFoundKeyed += found(guardKey(askedFeatures));
      truthFoundScan += found(undefined);
    }

  const costs = groups.map(([name, queries]) => {
    const samples = { scan: [] as number[], keyed: [] as number[] };
    for (let round = 0; round < rounds; round++)
      for (const keyed of round % 2 === 0 ? [false, true] : [true, false]) {
        const started = process.cpuUsage();
        for (const asked of queries) servedBy(lookup, { ...asked, keyed });
        const used = process.cpuUsage(started);
        samples[keyed ? "keyed" : "scan"].push((used.user + used.system) / queries.length);
      }
    return { name, scan: median(samples.scan), keyed: median(samples.keyed) };
  });

  const entries = corpus.length;
  console.log(`${entries.toLocaleString("en")} entries in one partition (${index.stats().partitions} partition):`);
  console.log(
    `  served: the scan ${scanServed}, the key the same ${sameServed} (recall of the scan's answers ${percent(sameServed, scanServed)}),` +
      ` other or none ${differ}, only the key ${keyOnly}`,
  );
  console.log(
    `  recall@${THRESHOLD} of guard-passing entries (exact comparison with every entry: ${truthTotal}):` +
      ` key ${percent(truthFoundKeyed, truthTotal)}, filtered scan ${percent(truthFoundScan, truthTotal)}`,
  );
  for (const cost of costs)
    console.log(
      `  ${cost.name.padEnd(28)} before ${cost.scan.toFixed(1).padStart(8)} µs  after ${cost.keyed.toFixed(1).padStart(6)} µs CPU per lookup`,
    );
  console.log(
    `  memory per entry: ${(index.stats().bytes / entries).toFixed(0)} B in all (stats()), of which the guard key` +
      ` ${keyBytes.toFixed(0)} B (measured: ${buckets.size.toLocaleString("en")} buckets)\n`,
  );
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${((part / whole) * 100).toFixed(2)} %`;
}

/** A prompt like bench:overhead's, never stored (its number is past the corpus's). */
function freshPrompt(position: number): string {
  const words = "harbour lantern granite tide beacon keeper storm fog signal coast reef cliff".split(" ");
  const pick = (offset: number) => words[(position * 7 + offset * 3) % words.length];
  return `Write one sentence about ${[0, 1, 2, 3, 4, 5, 6, 7].map(pick).join(" ")} (${10_000_000 + position}).`;
}
