import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from "obscenity";
import type { Finding } from "../finding.ts";

let matcher: RegExpMatcher | undefined;

/**
 * Profanity and slurs from obscenity's English list, through its recommended transformers
 * (confusable characters, leetspeak, repeated letters, separators), which match on the
 * caller's own text, so offsets need no mapping.
 */
export function profanityFindings(text: string): Finding[] {
  matcher ??= new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  return matcher.getAllMatches(text, true).map((match) => ({
    kind: "PROFANITY",
    start: match.startIndex,
    // obscenity's end index is inclusive and points at the low half of a final surrogate pair.
    end: match.endIndex + 1,
    score: 1,
    detector: "toxicity",
  }));
}
