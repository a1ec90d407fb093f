import { HOMOGLYPHS } from "./homoglyphs.ts";
import { type MappedText, MappedTextBuilder } from "./mapped-text.ts";

/**
 * Stage one of normalisation, per code point: drops invisible characters (zero-width,
 * bidi controls, soft hyphen, variation selectors, tag characters), applies NFKC and strips
 * combining marks ("ｉｇｎｏｒｅ", "𝐢𝐠𝐧𝐨𝐫𝐞", "ïgnöre" all become "ignore"), and folds
 * Cyrillic/Greek look-alikes inside a word that is Latin or made only of look-alikes, so
 * genuine Russian or Greek words are left alone. Case is kept for the base64 stage.
 */
export function foldCharacters(input: MappedText): MappedText {
  const text = input.text;
  const builder = new MappedTextBuilder(text.length);
  const word: Piece[] = [];
  let latin = 0;
  let lookalike = 0;
  let foreign = 0;
  const flushWord = () => {
    const fold = lookalike > 0 && (latin > 0 || foreign === 0);
    for (const piece of word) {
      const replacement = fold ? HOMOGLYPHS.get(piece.folded.charCodeAt(0)) : undefined;
      builder.pushString(replacement ?? piece.folded, piece.start, piece.end);
    }
    word.length = 0;
    latin = lookalike = foreign = 0;
  };
  for (let index = 0; index < text.length; ) {
    const codePoint = text.codePointAt(index)!;
    const width = codePoint > 0xffff ? 2 : 1;
    const start = index;
    index += width;
    // ASCII is never invisible, folded or replaced: with no piece waiting (a word so far all
    // ASCII), it goes out at once, with no Piece per letter. A word's counts still see it.
    if (codePoint < 0x80 && word.length === 0) {
      const latinLetter = (codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x61 && codePoint <= 0x7a);
      if (latinLetter) latin++;
      else latin = 0; // the word ended (flushWord's reset, with nothing to flush)
      builder.push(codePoint, start, index);
      continue;
    }
    if (isInvisible(codePoint)) continue;
    const folded = codePoint < 0x80 ? String.fromCharCode(codePoint) : foldCodePoint(codePoint);
    const kind = letterKind(folded);
    if (kind === "none") {
      flushWord();
      builder.pushString(folded, start, index);
      continue;
    }
    if (kind === "latin") latin++;
    else if (kind === "lookalike") lookalike++;
    else foreign++;
    word.push({ folded, start, end: index });
  }
  flushWord();
  return builder.finish(input);
}

interface Piece {
  folded: string;
  start: number;
  end: number;
}

function isInvisible(codePoint: number): boolean {
  return (
    codePoint === 0xad ||
    codePoint === 0x34f ||
    codePoint === 0x61c ||
    codePoint === 0x180e ||
    codePoint === 0xfeff ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2060 && codePoint <= 0x206f) ||
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) ||
    (codePoint >= 0xe0000 && codePoint <= 0xe007f)
  );
}

const LETTER = /\p{L}/u;
const MARKS = /\p{Mn}/gu;
const CACHE_LIMIT = 4096;
const foldCache = new Map<number, string>();

function foldCodePoint(codePoint: number): string {
  const cached = foldCache.get(codePoint);
  if (cached !== undefined) return cached;
  const character = String.fromCodePoint(codePoint);
  const decomposed = character.normalize("NFKD");
  const folded = decomposed === character ? character : decomposed.replace(MARKS, "").normalize("NFC");
  // A bounded memo: adversarial input with a million distinct code points must not grow it without end.
  if (foldCache.size >= CACHE_LIMIT) foldCache.clear();
  foldCache.set(codePoint, folded);
  return folded;
}

function letterKind(folded: string): "latin" | "lookalike" | "foreign" | "none" {
  const unit = folded.charCodeAt(0);
  if ((unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a)) return "latin";
  if (unit < 0x80) return "none";
  if (folded.length === 1 && HOMOGLYPHS.has(unit)) return "lookalike";
  return LETTER.test(folded) ? "foreign" : "none";
}
