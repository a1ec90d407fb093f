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
  "fromPassageNotQuestion",
  "echoesQuestion",
  "verbatimInPassage",
  "noContent",
] as const;

/** What the features read from the passage and question, prepared once per passage. */
export interface Evidence {
  terms: ReadonlySet<string>;
  bigrams: ReadonlySet<string>;
  negated: boolean;
  lowerText: string;
}

export function prepareEvidence(text: string): Evidence {
  const tokens = tokenize(text);
  const content = tokens.filter((token) => !token.stop);
  return {
    terms: new Set(tokens.map((token) => token.term)),
    bigrams: new Set(content.slice(1).map((token, index) => `${content[index]!.term} ${token.term}`)),
    negated: tokens.some(isNegation),
    lowerText: squash(text),
  };
}

/**
 * Support features of one claim against one passage and the question, all fractions or
 * flags, never counts, so a long answer is not judged by its length: the share of content
 * words, numbers and names found in neither passage nor question, adjacent word pairs the
 * passage shares, a negation only one side has, words that come from the passage rather
 * than echo the question, and whether the claim appears verbatim in the passage.
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
  const squashed = squash(claim);
  return [
    share(content, (token) => !known(token)),
    share(content, (token) => !passage.terms.has(token.term)),
    share(numbers, (token) => !passage.terms.has(token.term)),
    numbers.some((token) => !passage.terms.has(token.term)) ? 1 : 0,
    share(names, (token) => !known(token)),
    names.some((token) => !known(token)) ? 1 : 0,
    bigrams.length === 0 ? 0 : bigrams.filter((bigram) => passage.bigrams.has(bigram)).length / bigrams.length,
    claimNegated !== passage.negated && claimNegated ? 1 : 0,
    share(content, (token) => passage.terms.has(token.term) && !question.terms.has(token.term)),
    share(content, (token) => question.terms.has(token.term)),
    squashed.length > 0 && passage.lowerText.includes(squashed) ? 1 : 0,
    content.length === 0 ? 1 : 0,
  ];
}

/** Lower case, punctuation dropped, single spaces: for verbatim comparison. */
function squash(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}
