import { isNegation, type Token, tokenize } from "./claim-tokens.ts";

/** The names of the support features, in the order the model's weights use. */
export const CLAIM_FEATURES = [
  "unsupported",
  "unsupportedByPassage",
  "unsupportedNumber",
  "anyUnsupportedNumber",
  "unsupportedName",
  "anyUnsupportedName",
  "bigramSupport",
  "negationMismatch",
  "echoesQuestion",
  "longestSharedRun",
  "noContent",
] as const;

/** What the features read from the passage and question, prepared once per passage. */
export interface Evidence {
  terms: ReadonlySet<string>;
  bigrams: ReadonlySet<string>;
  negated: boolean;
  /** The passage's terms in order, space-joined and padded, for finding shared runs. */
  termSequence: string;
}

export function prepareEvidence(text: string): Evidence {
  const tokens = tokenize(text);
  const content = tokens.filter((token) => !token.stop);
  return {
    terms: new Set(tokens.map((token) => token.term)),
    bigrams: new Set(content.slice(1).map((token, index) => `${content[index]!.term} ${token.term}`)),
    negated: tokens.some(isNegation),
    termSequence: ` ${tokens.map((token) => token.term).join(" ")} `,
  };
}

/**
 * Support features of one claim against one passage and the question, all fractions or
 * flags, never counts, so a long answer is not judged by its length: the share of content
 * words, numbers and names found in neither passage nor question, adjacent word pairs the
 * passage shares, a negation only one side has, words that echo the question, and the
 * longest run of the claim's words the passage holds in order. (A verbatim-match flag
 * separated HaluEval almost alone, since its grounded answers are spans of the knowledge,
 * and marked every paraphrase unsupported: it was dropped for the shared run.)
 */
export function claimFeatures(claim: string, context: { passage: Evidence; question: Evidence }): number[] {
  const { passage, question } = context;
  const content = tokenize(claim).filter((token) => !token.stop);
  const share = (tokens: readonly Token[], test: (token: Token) => boolean) =>
    tokens.length === 0 ? 0 : tokens.filter(test).length / tokens.length;
  const known = (token: Token) => passage.terms.has(token.term) || question.terms.has(token.term);
  const numbers = content.filter((token) => token.numeric);
  const names = content.filter((token) => token.named && !token.numeric);
  const bigrams = content.slice(1).map((token, index) => `${content[index]!.term} ${token.term}`);
  const claimNegated = tokenize(claim).some(isNegation);
  return [
    share(content, (token) => !known(token)),
    share(content, (token) => !passage.terms.has(token.term)),
    share(numbers, (token) => !passage.terms.has(token.term)),
    numbers.some((token) => !passage.terms.has(token.term)) ? 1 : 0,
    share(names, (token) => !known(token)),
    names.some((token) => !known(token)) ? 1 : 0,
    bigrams.length === 0 ? 0 : bigrams.filter((bigram) => passage.bigrams.has(bigram)).length / bigrams.length,
    claimNegated !== passage.negated && claimNegated ? 1 : 0,
    share(content, (token) => question.terms.has(token.term)),
    longestSharedRun(tokenize(claim), passage.termSequence),
    content.length === 0 ? 1 : 0,
  ];
}

const LONGEST_CLAIM = 60;

/**
 * The longest run of consecutive claim words (stop words included) that the passage holds
 * in the same order, as a share of the claim: a paraphrase that keeps "is 330 metres tall"
 * scores well without being verbatim.
 */
function longestSharedRun(tokens: readonly Token[], sequence: string): number {
  const terms = tokens.slice(0, LONGEST_CLAIM).map((token) => token.term);
  let longest = 0;
  for (let start = 0; start + longest < terms.length; start++) {
    let end = start + longest + 1;
    while (end <= terms.length && sequence.includes(` ${terms.slice(start, end).join(" ")} `)) end++;
    longest = Math.max(longest, end - 1 - start);
  }
  return terms.length === 0 ? 0 : longest / terms.length;
}
