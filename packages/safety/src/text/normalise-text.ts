import { decodeRuns } from "./decode-runs.ts";
import { foldCase } from "./fold-case.ts";
import { foldCharacters } from "./fold-characters.ts";
import { identityMapped, type MappedText } from "./mapped-text.ts";

const NON_ASCII = /[\u0080-\uffff]/;
/** A base64-looking run, or a few of the commonest words in rot13 (the, and, you, your, all, ignore, previous, system, prompt). */
const ENCODED_HINT = /[A-Za-z0-9+/_-]{16}|\b(?:gur|naq|lbh|lbhe|nyy|vtaber|cerivbhf|flfgrz|cebzcg)\b/i;

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
  // Most text is plain ASCII with nothing encoded: the first two passes are then skipped.
  const folded = NON_ASCII.test(text) ? foldCharacters(identityMapped(text)) : identityMapped(text);
  const decoded = ENCODED_HINT.test(folded.text) ? decodeRuns(folded) : folded;
  const output = foldCase(decoded);
  lastInput = text;
  lastOutput = output;
  return output;
}
