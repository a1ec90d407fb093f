import type { AnswerWindow } from "./answer-window.ts";
import { isCredentialUnit, isPiiMark, PRIVATE_KEY_HEADER, SHORTEST_CREDENTIAL } from "./prefilters.ts";

/**
 * `mayHoldSecret` and `mayHoldPii` (default kinds) on the suffix `[from, length)` of a
 * growing answer, each unit read once: the output guard asked them of its look-back window
 * on every chunk, rereading the same 50-100 units each time. The answers are the functions'
 * own: a PII mark (digit, "@", "::", full-width form) at or after `from`; a run of 15
 * credential units inside the suffix (only the open run and the last finished long run can
 * be that: an earlier run ends earlier); the private-key header inside it.
 */
export class StreamGates {
  private read = 0;
  private lastPiiMark = -1;
  private runStart = 0;
  private inRun = false;
  private longRunStart = -1;
  private longRunEnd = -1;

  constructor(private readonly answer: AnswerWindow) {}

  /** Reads what was appended since the last call. Offsets read are never before the window's kept part. */
  private catchUp(): void {
    const answer = this.answer;
    const length = answer.length;
    let index = this.read;
    for (; index < length; index++) {
      const unit = answer.charCodeAt(index);
      if (isCredentialUnit(unit)) {
        if (!this.inRun) {
          this.runStart = index;
          this.inRun = true;
        }
      } else if (this.inRun) {
        this.inRun = false;
        if (index - this.runStart >= SHORTEST_CREDENTIAL) {
          this.longRunStart = this.runStart;
          this.longRunEnd = index;
        }
      }
      // "::" needs the unit after it: a ":" last in the answer is read again with the next chunk
      // (the run above ended at it either way, so reading it twice changes nothing).
      if (unit === 0x3a && index + 1 === length) break;
      if (isPiiMark(answer, index)) this.lastPiiMark = index;
    }
    this.read = index;
  }

  mayHoldPii(from: number): boolean {
    this.catchUp();
    return this.lastPiiMark >= from;
  }

  mayHoldSecret(from: number): boolean {
    this.catchUp();
    const length = this.answer.length;
    // A run still open at the end (a final ":" closed and recorded the run before it).
    if (this.inRun && length - Math.max(this.runStart, from) >= SHORTEST_CREDENTIAL) return true;
    if (this.longRunEnd >= 0 && this.longRunEnd - Math.max(this.longRunStart, from) >= SHORTEST_CREDENTIAL) return true;
    return this.answer.indexOf(PRIVATE_KEY_HEADER, from) !== -1;
  }
}
