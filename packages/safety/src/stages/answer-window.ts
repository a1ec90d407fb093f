/**
 * A streamed answer as the output guard reads it: offsets into the whole answer, but only
 * the part from `base` on is kept as one string. Appending to one string of the whole answer
 * and then reading it made V8 copy the whole answer into a flat string on every chunk (a
 * 1 KB answer in 4-character chunks: 256 copies of up to 1 KB); the guard never reads before
 * its release point's look-back, so the text before it is dropped from the working string.
 * The whole answer is still kept, unread (one copy at the end), when asked for.
 */
export class AnswerWindow {
  private tail = "";
  private base = 0;
  private whole = "";
  private total = 0;

  /** `keepWhole`: `wholeText()` is needed at the end. */
  constructor(private readonly keepWhole: boolean) {}

  append(delta: string): void {
    this.tail += delta;
    if (this.keepWhole) this.whole += delta;
    this.total += delta.length;
  }

  get length(): number {
    return this.total;
  }

  /** The whole answer; only when built with `keepWhole`. */
  wholeText(): string {
    if (!this.keepWhole) throw new Error("the answer window was built without the whole answer");
    return this.whole;
  }

  /** No offset before `offset` will be read again: the working string may drop that text. */
  forget(offset: number): void {
    // A few dozen units at a time: each drop is a slice, each append after it one copy of the rest.
    if (offset - this.base < FORGET_STEP) return;
    this.tail = this.tail.slice(offset - this.base);
    this.base = offset;
  }

  /** Code unit at `offset` (NaN past the end, like `String#charCodeAt`); `offset` >= the last `forget`. */
  charCodeAt(offset: number): number {
    return this.tail.charCodeAt(offset - this.base);
  }

  slice(start: number, end: number = this.total): string {
    return this.tail.slice(start - this.base, end - this.base);
  }

  indexOf(search: string, from: number): number {
    const found = this.tail.indexOf(search, from - this.base);
    return found === -1 ? -1 : found + this.base;
  }

  /** Like `String#lastIndexOf`, but -1 also when the only match lies before the kept part. */
  lastIndexOf(search: string, from: number): number {
    const found = this.tail.lastIndexOf(search, from - this.base);
    return found === -1 ? -1 : found + this.base;
  }
}

const FORGET_STEP = 32;
