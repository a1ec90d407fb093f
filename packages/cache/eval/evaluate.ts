// Measures the semantic cache on the labelled pairs, through the real middleware.
import { readFileSync } from "node:fs";
import type { ChatRequest, Generation, Model } from "@keel/spec";
import { createMemoryStore } from "../src/memory-store.ts";
import { semanticCacheMiddleware } from "../src/semantic-cache.ts";
import { createContext, createScriptedModel, wrap } from "../src/test-support/middleware-fixtures.ts";

export interface LabelledPairs {
  paraphrases: Array<[string, string]>;
  nearMisses: Array<[string, string]>;
}

export interface SemanticScore {
  threshold: number;
  guard: boolean;
  hitRate: number;
  falseHitRate: number;
  hits: number;
  falseHits: number;
  /** Shared-index check: hits that returned another question's answer. */
  wrongHitsShared: number;
  wrongSharedPairs: Array<[string, string]>;
  missedParaphrases: Array<[string, string]>;
  falseHitPairs: Array<[string, string]>;
}

/** `semantic-pairs.json` (used to tune the guard) or `semantic-pairs-holdout.json` (never tuned on). */
export function loadPairs(file = "semantic-pairs.json"): LabelledPairs {
  return JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), "utf8")) as LabelledPairs;
}

const ask = (content: string): ChatRequest => ({
  model: "gpt-4o-mini",
  temperature: 0,
  messages: [{ role: "user", content }],
});
const answerOf = (text: string) => `answer to ${text}`;
const plain = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

async function query(model: Model, text: string, tenant: string): Promise<Generation> {
  return model.generate(ask(text), createContext({ tenant }).ctx);
}

export async function scoreSemantic(
  pairs: LabelledPairs,
  options: { threshold: number; guard: boolean },
): Promise<SemanticScore> {
  const build = () =>
    wrap(
      semanticCacheMiddleware({ store: createMemoryStore(), resyncIntervalMs: 0, ...options }),
      createScriptedModel((request) => answerOf(request.messages.at(-1)?.content ?? "")).model,
    );

  // Each pair alone in its own tenant: does the second hit the first?
  const isolated = build();
  const missedParaphrases: Array<[string, string]> = [];
  const falseHitPairs: Array<[string, string]> = [];
  let hits = 0;
  for (const [index, [stored, asked]] of pairs.paraphrases.entries()) {
    await query(isolated, stored, `p${index}`);
    if ((await query(isolated, asked, `p${index}`)).cache === "semantic") hits++;
    else missedParaphrases.push([stored, asked]);
  }
  for (const [index, [stored, asked]] of pairs.nearMisses.entries()) {
    await query(isolated, stored, `n${index}`);
    if ((await query(isolated, asked, `n${index}`)).cache === "semantic") falseHitPairs.push([stored, asked]);
  }

  // Every stored question in one index: a hit must return the asked question's own answer or its partner's.
  const shared = build();
  for (const [stored] of [...pairs.paraphrases, ...pairs.nearMisses]) await query(shared, stored, "shared");
  const wrongSharedPairs: Array<[string, string]> = [];
  const partners = new Map(pairs.paraphrases.map(([stored, asked]) => [asked, stored]));
  for (const [, asked] of [...pairs.paraphrases, ...pairs.nearMisses]) {
    const generation = await query(shared, asked, "shared");
    if (generation.cache !== "semantic") continue;
    const partner = partners.get(asked);
    const servedFor = generation.content.slice("answer to ".length);
    // The same question in other case or punctuation (stored by another pair) is a right answer.
    if (plain(servedFor) !== plain(asked) && servedFor !== partner) {
      wrongSharedPairs.push([servedFor, asked]);
    }
  }

  return {
    ...options,
    hits,
    falseHits: falseHitPairs.length,
    hitRate: hits / pairs.paraphrases.length,
    falseHitRate: falseHitPairs.length / pairs.nearMisses.length,
    wrongHitsShared: wrongSharedPairs.length,
    wrongSharedPairs,
    missedParaphrases,
    falseHitPairs,
  };
}
