import type { Finding } from "../finding.ts";
import type { ResolvedBrand } from "../policy/resolve-policy.ts";
import { createPhraseMatcher, type PhraseMatcher, type WordToken } from "./phrase-matcher.ts";

export interface BrandRules {
  /** Banned terms (BANNED_TERM) and tone phrases (TONE, message = the rule's name) in `words`. */
  find(words: readonly WordToken[]): (Finding & { message?: string })[];
  readonly matcher: PhraseMatcher;
  /** Longest phrase in characters, for holding back a phrase split across stream chunks. */
  readonly longestChars: number;
}

const compiled = new WeakMap<ResolvedBrand, BrandRules>();

/** The route's banned terms and tone rules as one phrase matcher, built once per policy. */
export function brandRulesOf(brand: ResolvedBrand): BrandRules {
  const cached = compiled.get(brand);
  if (cached !== undefined) return cached;
  const phrases: { text: string; kind: "BANNED_TERM" | "TONE"; rule?: string }[] = [
    ...brand.bannedTerms.map((text) => ({ text, kind: "BANNED_TERM" as const })),
    ...brand.tone.flatMap((rule) => rule.phrases.map((text) => ({ text, kind: "TONE" as const, rule: rule.name }))),
  ];
  const matcher = createPhraseMatcher(phrases.map((phrase) => phrase.text));
  const rules: BrandRules = {
    matcher,
    longestChars: phrases.reduce((longest, phrase) => Math.max(longest, phrase.text.length), 0),
    find(words) {
      return matcher.find(words).map((match) => {
        const phrase = phrases[match.phrase]!;
        return {
          kind: phrase.kind,
          start: match.start,
          end: match.end,
          score: 1,
          detector: "brand",
          ...(phrase.rule === undefined ? {} : { message: phrase.rule }),
        };
      });
    },
  };
  compiled.set(brand, rules);
  return rules;
}
