/** Counts what the answers of a load run said: retries, fallbacks, and failures by Keel code. */
export interface OutcomeTally {
  /** Successful answers that took more than one upstream call. */
  retried: number;
  /** Successful answers from a target other than the first. */
  fellBack: number;
  failures: Record<string, number>;
  /** Records one answer; returns whether it was a success. */
  record(
    outcome: { envelope?: { attempts?: number; fallback?: { answeredBy?: string | null } } } | { code?: string },
    firstTarget: string,
  ): boolean;
  clear(): void;
}

export function createOutcomeTally(): OutcomeTally {
  const tally: OutcomeTally = {
    retried: 0,
    fellBack: 0,
    failures: {},
    record(outcome, firstTarget) {
      if ("envelope" in outcome && outcome.envelope) {
        if ((outcome.envelope.attempts ?? 1) > 1) tally.retried += 1;
        if (outcome.envelope.fallback?.answeredBy !== firstTarget) tally.fellBack += 1;
        return true;
      }
      const code = ("code" in outcome ? outcome.code : undefined) ?? "UNREADABLE_ANSWER";
      tally.failures[code] = (tally.failures[code] ?? 0) + 1;
      return false;
    },
    clear() {
      tally.retried = 0;
      tally.fellBack = 0;
      tally.failures = {};
    },
  };
  return tally;
}
