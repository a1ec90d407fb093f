// pnpm --filter @keel/cache eval:semantic — hit and false-hit rates of the semantic cache on eval/semantic-pairs.json.
import { DEFAULT_SEMANTIC_THRESHOLD } from "../src/semantic-cache-engine.ts";
import { loadPairs, scoreSemantic } from "./evaluate.ts";

const pairs = loadPairs();
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
console.log(
  `${pairs.paraphrases.length} paraphrase pairs (should hit), ${pairs.nearMisses.length} near misses (must not hit)\n`,
);

const atDefault = await scoreSemantic(pairs, { threshold: DEFAULT_SEMANTIC_THRESHOLD, guard: true });
console.log(
  `default threshold ${DEFAULT_SEMANTIC_THRESHOLD}, guard on: hit rate ${percent(atDefault.hitRate)} (${atDefault.hits}/${pairs.paraphrases.length}), false-hit rate ${percent(atDefault.falseHitRate)} (${atDefault.falseHits}/${pairs.nearMisses.length}), wrong hits in a shared index ${atDefault.wrongHitsShared}`,
);
for (const [stored, asked] of [...atDefault.falseHitPairs, ...atDefault.wrongSharedPairs])
  console.log(`  FALSE HIT: "${asked}" served the answer to "${stored}"`);
if (process.argv.includes("--verbose"))
  for (const [stored, asked] of atDefault.missedParaphrases) console.log(`  missed: "${asked}" ~ "${stored}"`);

console.log(
  "\nthreshold sweep   guard on: hit / false hit / wrong(shared)   guard off: hit / false hit / wrong(shared)",
);
for (const threshold of [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]) {
  const guarded = await scoreSemantic(pairs, { threshold, guard: true });
  const unguarded = await scoreSemantic(pairs, { threshold, guard: false });
  console.log(
    `  ${threshold.toFixed(2)}            ${percent(guarded.hitRate).padStart(6)} / ${percent(guarded.falseHitRate).padStart(6)} / ${String(guarded.wrongHitsShared).padStart(2)}` +
      `                  ${percent(unguarded.hitRate).padStart(6)} / ${percent(unguarded.falseHitRate).padStart(6)} / ${String(unguarded.wrongHitsShared).padStart(2)}`,
  );
}

const holdout = loadPairs("semantic-pairs-holdout.json");
const held = await scoreSemantic(holdout, { threshold: DEFAULT_SEMANTIC_THRESHOLD, guard: true });
console.log(
  `\nheld-out set (${holdout.paraphrases.length} + ${holdout.nearMisses.length} pairs, not used for tuning), default threshold: hit rate ${percent(held.hitRate)} (${held.hits}/${holdout.paraphrases.length}), false-hit rate ${percent(held.falseHitRate)} (${held.falseHits}/${holdout.nearMisses.length}), wrong hits in a shared index ${held.wrongHitsShared}`,
);
for (const [stored, asked] of [...held.falseHitPairs, ...held.wrongSharedPairs])
  console.log(`  FALSE HIT: "${asked}" served the answer to "${stored}"`);
if (process.argv.includes("--verbose"))
  for (const [stored, asked] of held.missedParaphrases) console.log(`  missed: "${asked}" ~ "${stored}"`);
