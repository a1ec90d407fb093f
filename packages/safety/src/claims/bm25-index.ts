import { tokenize } from "./claim-tokens.ts";

export interface Passage {
  id: string;
  text: string;
}

export interface Ranked {
  index: number;
  score: number;
}

const K1 = 1.2;
const B = 0.75;

/** Okapi BM25 over content words: the lexical retriever every claim is first matched with. */
export class Bm25Index {
  private readonly postings = new Map<string, { index: number; count: number }[]>();
  private readonly lengths: number[] = [];
  private readonly averageLength: number;

  constructor(readonly passages: readonly Passage[]) {
    passages.forEach((passage, index) => {
      const counts = new Map<string, number>();
      const terms = tokenize(passage.text).filter((token) => !token.stop);
      for (const token of terms) counts.set(token.term, (counts.get(token.term) ?? 0) + 1);
      for (const [term, count] of counts) {
        const list = this.postings.get(term) ?? [];
        list.push({ index, count });
        this.postings.set(term, list);
      }
      this.lengths.push(terms.length);
    });
    this.averageLength = this.lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, passages.length);
  }

  /** The `limit` best passages for a query, best first. */
  search(query: string, limit: number): Ranked[] {
    const scores = new Map<number, number>();
    const terms = new Set(
      tokenize(query)
        .filter((token) => !token.stop)
        .map((token) => token.term),
    );
    for (const term of terms) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const idf = Math.log(1 + (this.passages.length - list.length + 0.5) / (list.length + 0.5));
      for (const { index, count } of list) {
        const norm = count + K1 * (1 - B + (B * this.lengths[index]!) / Math.max(1, this.averageLength));
        scores.set(index, (scores.get(index) ?? 0) + (idf * count * (K1 + 1)) / norm);
      }
    }
    // Keep the best `limit` in one pass: a knowledge base of thousands of passages is not sorted per claim.
    const best: Ranked[] = [];
    for (const [index, score] of scores) {
      if (best.length === limit && !outranks({ index, score }, best[limit - 1]!)) continue;
      best.push({ index, score });
      best.sort((left, right) => (outranks(left, right) ? -1 : 1));
      if (best.length > limit) best.pop();
    }
    return best;
  }
}

/** Higher score first; on a tie, the earlier passage. */
function outranks(left: Ranked, right: Ranked): boolean {
  return left.score > right.score || (left.score === right.score && left.index < right.index);
}
