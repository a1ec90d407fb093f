import { DEFAULT_PII_KINDS } from "../policy/policy.ts";

/**
 * Cheap, conservative checks that tell a detector cannot find anything in a text, so a
 * stage can skip it: every default PII kind needs a digit or an "@", every credential a
 * token of 15+ credential characters (the shortest, a Slack token, is "xoxb-" and 10 more)
 * or a private-key header. A false "maybe" only costs the detector's run.
 */
const DIGIT_OR_AT_KINDS: ReadonlySet<string> = new Set(DEFAULT_PII_KINDS);

export function mayHoldPii(text: string, kinds: ReadonlySet<string> | undefined): boolean {
  if (needsEveryText(kinds)) return true;
  for (let index = 0; index < text.length; index++) if (isPiiMark(text, index)) return true;
  return false;
}

/** Whether a kind outside the digit-or-"@" set is asked for (undefined: every kind), so no text can be skipped. */
export function needsEveryText(kinds: ReadonlySet<string> | undefined): boolean {
  if (kinds === undefined) return true;
  for (const kind of kinds) if (!DIGIT_OR_AT_KINDS.has(kind)) return true;
  return false;
}

/** A unit that lets the default PII kinds match (`text.charCodeAt(index + 1)` is NaN past the end). */
export function isPiiMark(text: { charCodeAt(index: number): number }, index: number): boolean {
  const unit = text.charCodeAt(index);
  if ((unit >= 0x30 && unit <= 0x39) || unit === 0x40) return true;
  // An IPv6 address may be all hex letters ("dead::beef").
  if (unit === 0x3a && text.charCodeAt(index + 1) === 0x3a) return true;
  // Other scripts' digits and full-width forms: let the detectors decide.
  return unit >= 0xff10 && unit <= 0xff20;
}

export const SHORTEST_CREDENTIAL = 15;

export function mayHoldSecret(text: string): boolean {
  let run = 0;
  for (let index = 0; index < text.length; index++) {
    run = isCredentialUnit(text.charCodeAt(index)) ? run + 1 : 0;
    if (run >= SHORTEST_CREDENTIAL) return true;
  }
  return text.includes(PRIVATE_KEY_HEADER);
}

export const PRIVATE_KEY_HEADER = "-----BEGIN";

export function isCredentialUnit(unit: number): boolean {
  return (
    (unit >= 0x30 && unit <= 0x39) ||
    (unit >= 0x41 && unit <= 0x5a) ||
    (unit >= 0x61 && unit <= 0x7a) ||
    unit === 0x5f ||
    unit === 0x2d ||
    unit === 0x2b ||
    unit === 0x2f ||
    unit === 0x2e
  );
}
