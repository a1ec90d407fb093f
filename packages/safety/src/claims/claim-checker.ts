import { Bm25Index, type Passage } from "./bm25-index.ts";
import { claimFeatures, type Evidence, prepareEvidence } from "./claim-features.ts";
import { type ClaimModel, claimModel, supportScore } from "./claim-model.ts";
import { chunkKnowledge } from "./knowledge-base.ts";
import { splitClaims } from "./split-claims.ts";

export type { Passage } from "./bm25-index.ts";

/** Embeds texts for semantic retrieval; core passes its local embedder. */
export type EmbedTexts = (texts: string[]) => Promise<number[][]> | number[][];

export interface ClaimCheckerOptions {
  /** The knowledge as passages with ids... */
  passages?: readonly Passage[];
  /** ...or as one text, cut into passages by headings and paragraphs. */
  knowledgeText?: string;
  /** Optional semantic retrieval next to BM25. */
  embed?: EmbedTexts;
  /** Support at or above which a claim is supported; defaults to the shipped threshold. */
  threshold?: number;
}

export interface ClaimVerdict {
  /** The claim's span in the answer (UTF-16, end exclusive). */
  start: number;
  end: number;
  /** Support in [0, 1]. */
  support: number;
  /** The passage that supports the claim best, if any passage was retrieved. */
  passageId: string | undefined;
  supported: boolean;
}

export interface ClaimCheck {
  claims: ClaimVerdict[];
  /** The weakest claim's support (1 when the answer makes no claim). */
  support: number;
  supported: boolean;
}

export interface ClaimChecker {
  readonly threshold: number;
  readonly version: string;
  check(answer: string, options?: { question?: string }): Promise<ClaimCheck>;
}

const CANDIDATES = 3;

/**
 * Checks each claim of an answer against a knowledge base: BM25 (and, when given, an
 * embedder) proposes passages, support features are scored by a small logistic model
 * trained on HaluEval's training split, and the best-supporting passage is reported.
 * The index is built once, at creation.
 */
export function createClaimChecker(options: ClaimCheckerOptions): ClaimChecker {
  const passages = options.passages ?? chunkKnowledge(options.knowledgeText ?? "");
  const index = new Bm25Index(passages);
  const evidence = passages.map((passage) => prepareEvidence(passage.text));
  const model = claimModel();
  const threshold = options.threshold ?? model.threshold;
  let passageVectors: Promise<number[][]> | undefined;
  const semantic = async (claims: string[]): Promise<number[][]> => {
    if (options.embed === undefined || passages.length === 0) return claims.map(() => []);
    passageVectors ??= Promise.resolve(options.embed(passages.map((passage) => passage.text)));
    const [vectors, claimVectors] = await Promise.all([passageVectors, options.embed(claims)]);
    return claimVectors.map((vector) => nearest(vector, vectors));
  };
  return {
    threshold,
    version: `1.0.0+${model.version}`,
    async check(answer, checkOptions = {}) {
      const question = prepareEvidence(checkOptions.question ?? "");
      const spans = splitClaims(answer);
      const texts = spans.map((span) => answer.slice(span.start, span.end));
      const semanticCandidates = await semantic(texts);
      const claims = spans.map((span, position) => {
        const text = texts[position]!;
        const lexical = index
          .search(`${text} ${checkOptions.question ?? ""}`, CANDIDATES)
          .map((ranked) => ranked.index);
        const candidates = [...new Set([...lexical, ...(semanticCandidates[position] ?? [])])];
        const best = bestSupport(text, { candidates, evidence, question, model });
        const support = Math.round(best.support * 1000) / 1000;
        return {
          ...span,
          support,
          passageId: best.index === undefined ? undefined : passages[best.index]!.id,
          supported: support >= threshold,
        };
      });
      const support = claims.reduce((lowest, claim) => Math.min(lowest, claim.support), 1);
      return { claims, support, supported: support >= threshold };
    },
  };
}

function bestSupport(
  claim: string,
  context: { candidates: readonly number[]; evidence: readonly Evidence[]; question: Evidence; model: ClaimModel },
): { support: number; index: number | undefined } {
  const empty = prepareEvidence("");
  let best = {
    support: supportScore(context.model, claimFeatures(claim, { passage: empty, question: context.question })),
    index: undefined as number | undefined,
  };
  for (const index of context.candidates) {
    const support = supportScore(
      context.model,
      claimFeatures(claim, { passage: context.evidence[index]!, question: context.question }),
    );
    if (support > best.support) best = { support, index };
  }
  return best;
}

/** Indexes of the passages most similar (cosine) to `vector`. */
function nearest(vector: readonly number[], vectors: readonly number[][]): number[] {
  const norm = (values: readonly number[]) => Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  const vectorNorm = norm(vector);
  return vectors
    .map((candidate, index) => ({
      index,
      score: candidate.reduce((sum, value, at) => sum + value * (vector[at] ?? 0), 0) / (norm(candidate) * vectorNorm),
    }))
    .sort((left, right) => right.score - left.score)
    .slice(0, CANDIDATES)
    .map((entry) => entry.index);
}
