import { type MappedText, MappedTextBuilder } from "./mapped-text.ts";

const MIN_BASE64_RUN = 16;

/**
 * Stage two: replaces encoded runs an attacker hides instructions in with their decoding,
 * each decoded unit mapped to the whole run. A base64 run is decoded when it reads as
 * text (printable, with spaces); a sentence is rot13-decoded when more of its words are
 * common English after rot13 than before.
 */
export function decodeRuns(input: MappedText): MappedText {
  const text = input.text;
  // Most texts that get here (an e-mail address, a card number or a long word makes a
  // 16-unit run) decode nothing: then the output is the input, without copying it unit by unit.
  if (!mayRot13(text) && !anyBase64Decodes(text)) return input;
  const builder = new MappedTextBuilder(text.length);
  let sentenceStart = 0;
  let index = 0;
  while (index < text.length) {
    const unit = text.charCodeAt(index);
    if (isBase64Unit(unit)) {
      let end = index;
      while (end < text.length && isBase64Unit(text.charCodeAt(end))) end++;
      let padded = end;
      while (padded < text.length && padded - end < 2 && text.charCodeAt(padded) === 0x3d) padded++;
      const decoded = padded - index >= MIN_BASE64_RUN ? decodeBase64Text(text.slice(index, padded)) : undefined;
      if (decoded !== undefined) {
        copySentence(builder, text, { start: sentenceStart, end: index });
        builder.pushString(` ${decoded} `, index, padded);
        sentenceStart = padded;
      }
      index = Math.max(end, padded);
      continue;
    }
    index++;
    if (unit === 0x2e || unit === 0x21 || unit === 0x3f || unit === 0x3b || unit === 0x0a) {
      copySentence(builder, text, { start: sentenceStart, end: index });
      sentenceStart = index;
    }
  }
  copySentence(builder, text, { start: sentenceStart, end: text.length });
  return builder.finish(input);
}

/** Copies a sentence unit for unit, rot13-decoded when it reads as rot13. */
function copySentence(builder: MappedTextBuilder, text: string, span: { start: number; end: number }): void {
  if (span.end <= span.start) return;
  const decode = looksRot13(text.slice(span.start, span.end));
  for (let offset = span.start; offset < span.end; offset++) {
    const unit = text.charCodeAt(offset);
    builder.push(decode ? rot13(unit) : unit, offset, offset + 1);
  }
}

/** Whether some run would decode: the same runs and test as the loop in decodeRuns. */
function anyBase64Decodes(text: string): boolean {
  let index = 0;
  while (index < text.length) {
    if (!isBase64Unit(text.charCodeAt(index))) {
      index++;
      continue;
    }
    let end = index;
    while (end < text.length && isBase64Unit(text.charCodeAt(end))) end++;
    let padded = end;
    while (padded < text.length && padded - end < 2 && text.charCodeAt(padded) === 0x3d) padded++;
    if (padded - index >= MIN_BASE64_RUN && decodeBase64Text(text.slice(index, padded)) !== undefined) return true;
    index = Math.max(end, padded);
  }
  return false;
}

/**
 * A sentence reads as rot13 only with two or more words that are common after rot13; its
 * words are words of the whole text, so fewer than two in the whole text rules out every sentence.
 */
function mayRot13(text: string): boolean {
  let rotated = 0;
  for (const word of text.toLowerCase().match(WORDS) ?? []) if (ROTATED_COMMON.has(word) && ++rotated >= 2) return true;
  return false;
}

function isBase64Unit(unit: number): boolean {
  return (
    (unit >= 0x41 && unit <= 0x5a) ||
    (unit >= 0x61 && unit <= 0x7a) ||
    (unit >= 0x30 && unit <= 0x39) ||
    unit === 0x2b ||
    unit === 0x2f ||
    unit === 0x2d ||
    unit === 0x5f
  );
}

function decodeBase64Text(run: string): string | undefined {
  const decoded = Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1");
  if (decoded.length < 8) return undefined;
  let printable = 0;
  let spaces = 0;
  for (let index = 0; index < decoded.length; index++) {
    const unit = decoded.charCodeAt(index);
    if ((unit >= 0x20 && unit < 0x7f) || unit === 0x0a || unit === 0x09) printable++;
    if (unit === 0x20) spaces++;
  }
  return printable / decoded.length >= 0.95 && spaces > 0 ? decoded : undefined;
}

const COMMON = new Set(
  (
    "the and you your all are to of is in that it for this with not be have on as now from what " +
    "ignore previous instructions instruction prompt system rules forget disregard above tell me reveal " +
    "print secret password say write output follow new do any must"
  ).split(" "),
);

/** The common words as rot13 writes them: a word is common after rot13 when it is in this set. */
const ROTATED_COMMON = new Set([...COMMON].map(rot13Word));
const WORDS = /[a-z]{2,}/g;

function looksRot13(sentence: string): boolean {
  let plain = 0;
  let rotated = 0;
  for (const word of sentence.toLowerCase().match(WORDS) ?? []) {
    if (COMMON.has(word)) plain++;
    if (ROTATED_COMMON.has(word)) rotated++;
  }
  return rotated >= 2 && rotated > plain * 2;
}

function rot13Word(word: string): string {
  let result = "";
  for (let index = 0; index < word.length; index++) result += String.fromCharCode(rot13(word.charCodeAt(index)));
  return result;
}

function rot13(unit: number): number {
  if (unit >= 0x61 && unit <= 0x7a) return ((unit - 0x61 + 13) % 26) + 0x61;
  if (unit >= 0x41 && unit <= 0x5a) return ((unit - 0x41 + 13) % 26) + 0x41;
  return unit;
}
