import { createClaimChecker } from "../../src/claims/claim-checker.ts";

export interface ClaimRow {
  knowledge: string;
  question: string;
  answer: string;
  /** 1 = hallucinated, 0 = grounded. */
  label: number;
}

/** The answer's hallucination score: one minus its weakest claim's support. */
export async function hallucinationScore(row: ClaimRow): Promise<number> {
  const check = await createClaimChecker({ knowledgeText: row.knowledge }).check(row.answer, {
    question: row.question,
  });
  return 1 - check.support;
}

/**
 * The length-controlled subset: pairs (same knowledge and question) of one grounded and one
 * hallucinated answer whose word counts are within a ratio of 0.8 to 1.25, so a score that
 * only tracks answer length cannot separate them.
 */
export function lengthControlled(rows: readonly ClaimRow[]): boolean[] {
  const words = (text: string) => Math.max(1, text.split(/\s+/).filter((word) => word !== "").length);
  const byPair = new Map<string, ClaimRow[]>();
  for (const row of rows)
    byPair.set(`${row.knowledge}\u0000${row.question}`, [
      ...(byPair.get(`${row.knowledge}\u0000${row.question}`) ?? []),
      row,
    ]);
  return rows.map((row) => {
    const pair = byPair.get(`${row.knowledge}\u0000${row.question}`) ?? [];
    const grounded = pair.find((member) => member.label === 0);
    const hallucinated = pair.find((member) => member.label === 1);
    if (grounded === undefined || hallucinated === undefined) return false;
    const ratio = words(hallucinated.answer) / words(grounded.answer);
    return ratio >= 0.8 && ratio <= 1.25;
  });
}
