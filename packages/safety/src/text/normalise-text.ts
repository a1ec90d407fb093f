import { decodeRuns } from "./decode-runs.ts";
import { foldCase } from "./fold-case.ts";
import { foldCharacters } from "./fold-characters.ts";
import { identityMapped, type MappedText } from "./mapped-text.ts";

const NON_ASCII = /[\u0080-\uffff]/;
/** A few of the commonest words in rot13: the, and, you, your, all, ignore, previous, system, prompt. */
const ROT13_HINT = /\b(?:gur|naq|lbh|lbhe|nyy|vtaber|cerivbhf|flfgrz|cebzcg)\b/i;
const BASE64_RUN = 16;

/**
 * Whether the decoding pass has anything to do: a base64-looking run of 16 or more units
 * (one linear scan; the regex form retried its 16-unit class at every position) or rot13.
 */
function mayHoldEncodedRun(text: string): boolean {
  let run = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    const base64 =
      (unit >= 0x61 && unit <= 0x7a) ||
      (unit >= 0x41 && unit <= 0x5a) ||
      (unit >= 0x30 && unit <= 0x39) ||
      unit === 0x2b ||
      unit === 0x2f ||
      unit === 0x2d ||
      unit === 0x5f;
    run = base64 ? run + 1 : 0;
    if (run >= BASE64_RUN) return true;
  }
  return ROT13_HINT.test(text);
}

/** Whitespace other than single spaces and newlines, or a letter touching a leetspeak digit or symbol. */
const NEEDS_FOLDING = /[\t\r\v\f]|\s\s|[a-z][013457@$]|[013457@$][a-z]/i;

let lastInput: string | undefined;
let lastOutput: MappedText | undefined;

/**
 * The text detectors read: invisible characters removed, NFKC with marks stripped,
 * look-alike letters folded, base64 and rot13 runs decoded, lower case, leetspeak folded,
 * whitespace collapsed, with a map back to the caller's offsets. Three linear passes.
 * The last result is kept, since every detector of a stage normalises the same text.
 */
export function normaliseText(text: string): MappedText {
  if (text === lastInput && lastOutput !== undefined) return lastOutput;
  // The common case, plain ASCII with single spaces and nothing to fold, needs no map at all.
  if (!NON_ASCII.test(text) && !NEEDS_FOLDING.test(text) && !mayHoldEncodedRun(text)) {
    lastInput = text;
    lastOutput = { text: text.toLowerCase() };
    return lastOutput;
  }
  // Most text is plain ASCII with nothing encoded: the first two passes are then skipped.
  const folded = NON_ASCII.test(text) ? foldCharacters(identityMapped(text)) : identityMapped(text);
  const decoded = mayHoldEncodedRun(folded.text) ? decodeRuns(folded) : folded;
  const output = foldCase(decoded);
  lastInput = text;
  lastOutput = output;
  return output;
}
