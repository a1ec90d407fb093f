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
  // Object.assign, not `{ ...region, score, source }`: on Node 20 a spread followed by new keys
  // costs microseconds per object, and a 1 KB document has dozens of regions and rule hits.
  const evidence: InjectionEvidence[] = regions.map((region) =>
    Object.assign({}, region, {
      score: sigmoid(logit(scoring.model, text.slice(region.start, region.end))),
      source: "classifier",
    }),
  );
  for (const rule of INJECTION_RULES) {
    const ruleScore = scoring.channel === "user" ? rule.userScore : rule.documentScore;
    rule.pattern.lastIndex = 0;
    for (let match = rule.pattern.exec(text); match !== null; match = rule.pattern.exec(text)) {
      if (match[0].length === 0) rule.pattern.lastIndex++;
      const span = { start: match.index, end: match.index + match[0].length };
      const classifier = regionScore(evidence, regions.length, span);
      evidence.push({
        start: span.start,
        end: span.end,
        score: 1 - (1 - ruleScore) * (1 - classifier),
        source: rule.name,
      });
    }
  }
  if (scoring.channel === "document") {
    for (const tail of requestTails(text, regions)) {
      evidence.push(
        Object.assign({}, tail, {
          score: sigmoid(logit(scoring.model, text.slice(tail.start, tail.end))),
          source: "classifier",
        }),
      );
    }
  }
  return evidence;
}

// Verbs that open a task or a question put to the assistant; not "reply", "please", "use" or
// "click", which clean emails and answers address to their human reader all the time.
const REQUEST_START =
  /(?<=[ \n(])(?:summari[sz]e|analy[sz]e|write|provide|suggest|recommend|explain|describe|translate|tell me|show me|list|give me|create|generate|ignore|disregard|forget|modify|encode|print|repeat|reveal|determine|classify|how (?:can|do|does|did|have|has|is|are|would|should) |what (?:are|is|was|were|movies|books) |why (?:is|are|do|does) |can you|could you)\b/g;
const MOST_REQUEST_STARTS = 2;

/**
 * Extra document regions: from each of up to two request words inside a segment (not at its
 * start) to the segment's end. "| 133 summarize the main findings ..." is also scored from
 * "summarize", so the cell's own words do not dilute the instruction. The request words are
 * found in one pass over the whole text (one scan per segment would be quadratic).
 */
export function requestTails(text: string, segments: readonly Span[]): Span[] {
  const starts: number[] = [];
  REQUEST_START.lastIndex = 0;
  for (let match = REQUEST_START.exec(text); match !== null; match = REQUEST_START.exec(text)) starts.push(match.index);
  const tails: Span[] = [];
  let next = 0;
  for (const segment of segments) {
    while (next < starts.length && starts[next]! <= segment.start) next++;
    for (let taken = 0; taken < MOST_REQUEST_STARTS && next + taken < starts.length; taken++) {
      const start = starts[next + taken]!;
      if (start >= segment.end) break;
      tails.push({ start, end: segment.end });
    }
  }
  return tails;
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
