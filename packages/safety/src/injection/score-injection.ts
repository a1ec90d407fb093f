import { logit, type LogisticModel, sigmoid } from "../classifier/logistic-model.ts";
import type { MappedText } from "../text/mapped-text.ts";
import { INJECTION_RULES } from "./injection-rules.ts";
import { type Span, segmentText, windowText } from "../text/segment-text.ts";

export type InjectionChannel = "user" | "document";

/** A scored region of the normalised text, and why it scored. */
export interface InjectionEvidence extends Span {
  score: number;
  source: string;
}

/** The toxicity detector uses the same windows, so both read one feature list per window. */
const USER_WINDOW = 2000;

/**
 * All evidence of injection in a normalised text: every rule match (scored for the
 * channel) and the classifier's score of each region, whole turns (in windows of 2,000
 * units) for users, sentences and cells for documents. A rule hit and the classifier
 * agreeing on the same region add up: the region scores 1 - (1 - rule)(1 - classifier).
 */
export function injectionEvidence(
  normalised: MappedText,
  scoring: { channel: InjectionChannel; model: LogisticModel },
): InjectionEvidence[] {
  const text = normalised.text;
  const regions = scoring.channel === "user" ? windowText(text, USER_WINDOW) : segmentText(text);
  const evidence: InjectionEvidence[] = regions.map((region) => ({
    ...region,
    score: sigmoid(logit(scoring.model, text.slice(region.start, region.end))),
    source: "classifier",
  }));
  for (const rule of INJECTION_RULES) {
    const ruleScore = scoring.channel === "user" ? rule.userScore : rule.documentScore;
    rule.pattern.lastIndex = 0;
    for (let match = rule.pattern.exec(text); match !== null; match = rule.pattern.exec(text)) {
      if (match[0].length === 0) rule.pattern.lastIndex++;
      const span = { start: match.index, end: match.index + match[0].length };
      const classifier = regionScore(evidence, regions.length, span);
      evidence.push({ ...span, score: 1 - (1 - ruleScore) * (1 - classifier), source: rule.name });
    }
  }
  return evidence;
}

/** The text's score: its strongest piece of evidence. */
export function injectionScore(evidence: readonly InjectionEvidence[]): number {
  let best = 0;
  for (const item of evidence) best = Math.max(best, item.score);
  return best;
}

/** The classifier score of the region holding `span` (regions are sorted and disjoint). */
function regionScore(evidence: readonly InjectionEvidence[], regionCount: number, span: Span): number {
  let low = 0;
  let high = regionCount - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const region = evidence[middle]!;
    if (region.end <= span.start) low = middle + 1;
    else if (region.start > span.start) high = middle - 1;
    else return region.score;
  }
  return 0;
}
