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
  const findings: Finding[] = [];
  for (const match of matcher.getAllMatches(text, true)) {
    // obscenity's end index is inclusive and points at the low half of a final surrogate pair.
    const span = { start: match.startIndex, end: Math.min(text.length, match.endIndex + 1) };
    const previous = findings.at(-1);
    // Several patterns of one word ("shit", "$h1t") can match the same span: report it once.
    if (previous !== undefined && previous.start === span.start && previous.end === span.end) continue;
    findings.push({ kind: "PROFANITY", ...span, score: 1, detector: "toxicity" });
  }
  return findings;
}
