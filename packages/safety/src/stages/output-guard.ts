import type { Finding } from "../finding.ts";
import type { OutputDetectorName } from "../policy/policy.ts";
import type { ResolvedSafetyPolicy } from "../policy/resolve-policy.ts";
import { placeholderLabel } from "../redaction/placeholder-labels.ts";
import type { Vault } from "../redaction/vault.ts";
import { applyEdits, EditLog, type TextEdit } from "../text/text-edits.ts";
import { type ActedFinding, actOn } from "./acted-finding.ts";
import { AnswerWindow } from "./answer-window.ts";
import { brandRulesOf } from "./brand-rules.ts";
import { wordsOf } from "./phrase-matcher.ts";
import { mayHoldPii, mayHoldSecret, needsEveryText } from "./prefilters.ts";
import { piiPassFor, scanners } from "./scanners.ts";
import { StreamGates } from "./stream-gates.ts";

/** Text before the unchecked part that detectors read again for context ("call me at", "SSN"). */
const LOOKBACK = 48;
/** Most characters of joinable tokens (digit groups, capitalised words) held back before the last token. */
const MULTI_TOKEN_HOLD = 64;
/** A "sentence" longer than this is classified at its last space, so a run-on answer still flows. */
const LONGEST_SENTENCE = 1000;

export interface GuardStop {
  action: "block" | "hold";
  finding: ActedFinding;
}

export interface OutputGuard {
  /** Takes a delta; returns the text that is now checked and may go out. */
  push(delta: string): string;
  /** The answer ended: checks the rest and returns what remains to go out. */
  end(): string;
  /** Set once a finding blocks or holds the answer; after a hold the guard keeps checking but releases nothing. */
  readonly stop: GuardStop | undefined;
  /** The checked answer so far, redactions applied (after a hold: everything, released or not). */
  readonly content: string;
  /** Every finding acted on, with offsets into `content`. */
  findings(): ActedFinding[];
}

const MODIFYING = (finding: { action: string; review: string }) =>
  finding.action === "redact" ||
  finding.action === "block" ||
  (finding.action === "review" && finding.review === "hold");

/**
 * The output detectors on a growing answer (a stream, or a whole answer given at once).
 * Text is released only once checked. Pattern detectors (credentials, personal data,
 * brand phrases) need only the last, possibly incomplete, token held back, plus the tokens
 * before it that could be part of the same match (digit groups of a card or phone number,
 * capitalised words of a name, the start of a banned phrase), at most 64 characters; an
 * open private-key block is held until its END line. Classifiers (toxicity) judge whole
 * sentences, so when their action changes the text they hold back to the last sentence
 * boundary. Detectors that only flag hold nothing back.
 */
export function createOutputGuard(options: {
  policy: ResolvedSafetyPolicy;
  vault: Vault | undefined;
  /** Release nothing before the end (the claim check must see the whole answer first). */
  holdAll?: boolean;
}): OutputGuard {
  const { policy, vault } = options;
  const output = policy.output;
  const active = (name: OutputDetectorName) => output[name].action !== "off";
  const brand = output.brand;
  const brandRules =
    brand.action !== "off" && (brand.bannedTerms.length > 0 || brand.tone.length > 0) ? brandRulesOf(brand) : undefined;
  const namesHold = active("names") && MODIFYING(output.names);
  const patternHold =
    (["secrets", "pii", "names"] as const).some((name) => active(name) && MODIFYING(output[name])) ||
    (brandRules !== undefined && MODIFYING(brand));
  const sentenceHold = active("toxicity") && MODIFYING(output.toxicity);

  // Only the flag-only toxicity check reads the whole answer (once, at the end).
  const buffer = new AnswerWindow(active("toxicity") && !sentenceHold);
  let checked = 0;
  let classified = 0;
  /** Where the search for the next sentence boundary resumes (each character is looked at once). */
  let scanned = 0;
  let content = "";
  let stop: GuardStop | undefined;
  const edits = new EditLog();
  const finalised: ActedFinding[] = [];
  let toxicPending: ActedFinding[] = [];

  const secretsActive = active("secrets");
  const piiActive = active("pii");
  const namesActive = active("names");
  const piiEveryText = needsEveryText(output.pii.kinds);
  const gates = new StreamGates(buffer);
  const patternFindings = (from: number): ActedFinding[] => {
    // The prefilters' answers for `buffer.slice(from)`, from what each chunk added.
    // A whole answer is read once: the plain prefilters stop at their first hit.
    const whole = options.holdAll === true;
    const secrets = secretsActive && (whole ? mayHoldSecret(buffer.slice(from)) : gates.mayHoldSecret(from));
    const pii =
      piiActive &&
      (namesActive ||
        piiEveryText ||
        (whole ? mayHoldPii(buffer.slice(from), output.pii.kinds) : gates.mayHoldPii(from)));
    if (!secrets && !pii && !namesActive && brandRules === undefined) return NONE;
    const text = buffer.slice(from);
    const found: ActedFinding[] = [];
    if (secrets) found.push(...actOn(scanners.secrets().detect(text), { name: "secrets", settings: output.secrets }));
    if (pii || namesActive) {
      const pass = piiPassFor(pii ? output.pii : undefined, active("names") ? output.names : undefined);
      for (const finding of pass.detect(text)) {
        const name = finding.detector === "ner" ? "names" : "pii";
        if (active(name)) found.push(...actOn([finding], { name, settings: output[name] }));
      }
    }
    if (brandRules !== undefined)
      found.push(...actOn(brandRules.find(wordsOf(text)), { name: "brand", settings: brand }));
    if (found.length === 0) return NONE;
    const placeholders = vault?.placeholderSpans(text) ?? [];
    return found
      .filter((finding) => !placeholders.some((span) => span.start < finding.end && finding.start < span.end))
      .map((finding) => ({ ...finding, start: finding.start + from, end: finding.end + from }));
  };

  const classify = (final: boolean) => {
    if (!active("toxicity")) return;
    const detector = scanners.toxicity(output.toxicity.threshold);
    if (!sentenceHold) {
      // Only flagging: nothing waits for the verdict, so the whole answer is scored once at the end
      // (per call the classifier's fixed cost outweighs a sentence's own).
      if (!final) return;
      const found = actOn(detector.detect(buffer.wholeText()), { name: "toxicity", settings: output.toxicity });
      toxicPending.push(...found);
      classified = buffer.length;
      return;
    }
    let start = classified;
    const judge = (end: number) => {
      let from = start;
      let to = end;
      while (from < end && isSpace(buffer.charCodeAt(from))) from++;
      while (to > from && isSpace(buffer.charCodeAt(to - 1))) to--;
      const sentence = buffer.slice(from, to);
      if (/[\p{L}\p{N}]/u.test(sentence)) {
        const found = actOn(detector.detect(sentence), { name: "toxicity", settings: output.toxicity });
        for (const finding of found)
          toxicPending.push({ ...finding, start: finding.start + from, end: finding.end + from });
      }
      start = end;
    };
    for (let index = Math.max(start, scanned); index < buffer.length; index++) {
      const unit = buffer.charCodeAt(index);
      const next = buffer.charCodeAt(index + 1);
      if (unit === 0x0a) judge(index + 1);
      // The space after the sentence's mark goes with it, so the next sentence starts at its first word.
      else if ((unit === 0x2e || unit === 0x21 || unit === 0x3f) && isSpace(next)) judge(index + 2);
      else if (index - start >= LONGEST_SENTENCE) {
        const space = buffer.lastIndexOf(" ", index);
        judge(space > start ? space + 1 : index);
      }
    }
    if (final && start < buffer.length) judge(buffer.length);
    classified = start;
    // The last character's boundary depends on the one after it: look at it again next time.
    scanned = Math.max(start, buffer.length - 1);
  };

  /** Where checked text may end now: nothing a later chunk could still turn into a finding is released. */
  const holdStart = (): number => {
    if (options.holdAll) return checked;
    let end = buffer.length;
    if (sentenceHold) end = Math.min(end, classified);
    // An open private-key block after the checked text waits for its END line.
    const begin = buffer.indexOf("-----BEGIN", checked);
    if (begin !== -1 && buffer.indexOf("-----END", begin) === -1) end = Math.min(end, begin);
    if (patternHold) end = Math.min(end, tokenHoldStart());
    return end;
  };

  const tokenHoldStart = (): number => {
    let at = buffer.length;
    while (at > checked && !isSpace(buffer.charCodeAt(at - 1))) at--;
    const limit = buffer.length - MULTI_TOKEN_HOLD;
    for (;;) {
      let tokenEnd = at;
      while (tokenEnd > checked && isSpace(buffer.charCodeAt(tokenEnd - 1))) tokenEnd--;
      let tokenStart = tokenEnd;
      while (tokenStart > checked && !isSpace(buffer.charCodeAt(tokenStart - 1))) tokenStart--;
      if (tokenStart === tokenEnd || tokenStart < limit) break;
      if (!joinable(buffer.slice(tokenStart, tokenEnd), namesHold)) break;
      at = tokenStart;
    }
    if (brandRules !== undefined && MODIFYING(brand)) {
      // Phrases match on words, so the spaces between them may be longer than the phrase's own.
      const from = Math.max(checked, buffer.length - 2 * brandRules.longestChars - 2);
      let words = wordsOf(buffer.slice(from));
      if (from > 0 && isWordUnit(buffer.charCodeAt(from - 1))) words = words.slice(1);
      const lastIncomplete = buffer.length > 0 && isWordUnit(buffer.charCodeAt(buffer.length - 1));
      const partial = brandRules.matcher.continuationStart(words, lastIncomplete);
      if (partial >= 0) at = Math.min(at, from + words[partial]!.start);
    }
    return at;
  };

  const advance = (final: boolean): string => {
    if (stop?.action === "block") return "";
    classify(final);
    let release = final ? buffer.length : holdStart();
    if (release <= checked) return "";
    const scanned = patternFindings(Math.max(0, checked - LOOKBACK));
    if (
      scanned.length === 0 &&
      (toxicPending.length === 0 || toxicPending.every((finding) => finding.start >= release))
    ) {
      // Nothing found in what is released now: the common case, without the bookkeeping below.
      const piece = buffer.slice(checked, release);
      content += piece;
      checked = release;
      buffer.forget(Math.max(0, checked - LOOKBACK));
      return stop === undefined ? piece : "";
    }
    const found = scanned.filter((finding) => finding.end > checked);
    if (!final) {
      // No finding may straddle the release point: a later chunk could still change it.
      found.sort((left, right) => right.start - left.start);
      for (const finding of found) if (finding.start < release && finding.end > release) release = finding.start;
      if (release <= checked) return "";
    }
    const accepted = found.filter((finding) => finding.start < release);
    const toxic = toxicPending.filter((finding) => finding.start < release);
    toxicPending = toxicPending.filter((finding) => finding.start >= release);
    const acted = [...accepted, ...toxic].sort((left, right) => left.start - right.start);
    if (stop === undefined) {
      const blocking = acted.find((finding) => finding.action === "block");
      const holding = acted.find((finding) => finding.action === "review" && finding.review === "hold");
      if (blocking) {
        stop = { action: "block", finding: blocking };
        finalised.push(...acted);
        return "";
      }
      if (holding) stop = { action: "hold", finding: holding };
    }
    const redactions: TextEdit[] = acted
      .filter((finding) => finding.action === "redact")
      .map((finding) => ({
        start: Math.max(finding.start, checked) - checked,
        end: Math.min(finding.end, release) - checked,
        replacement: `[REDACTED_${finding.policy === "brand" ? "TERM" : placeholderLabel(finding.kind, finding.detector)}]`,
      }));
    const piece = applyEdits(buffer.slice(checked, release), redactions);
    edits.add(piece.edits.map((edit) => ({ ...edit, start: edit.start + checked, end: edit.end + checked })));
    finalised.push(...acted);
    content += piece.text;
    checked = release;
    buffer.forget(Math.max(0, checked - LOOKBACK));
    return stop === undefined ? piece.text : "";
  };

  return {
    push(delta) {
      buffer.append(delta);
      return advance(false);
    },
    end: () => advance(true),
    get stop() {
      return stop;
    },
    get content() {
      return content;
    },
    findings() {
      return finalised.map((finding) => ({ ...finding, ...edits.mapSpan(finding) }));
    },
  };
}

/** Letters and digits (ASCII fast path; anything beyond ASCII counts as a letter). */
function isWordUnit(unit: number): boolean {
  return (
    (unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a) || unit > 0x7f
  );
}

const NONE: ActedFinding[] = [];

function isSpace(unit: number): boolean {
  return unit === 0x20 || unit === 0x0a || unit === 0x09 || unit === 0x0d || unit === 0xa0;
}

/**
 * Tokens that can continue a match across a space: digit groups of cards, phones, IBANs
 * ("(555)", "010-4477", "DE89"), and with names held, capitalised words.
 */
function joinable(token: string, names: boolean): boolean {
  if (/\d/.test(token) && /^[0-9A-Za-z+().\-/,:;#]+$/.test(token)) return true;
  return names && /^\p{Lu}/u.test(token);
}

export type { Finding };
