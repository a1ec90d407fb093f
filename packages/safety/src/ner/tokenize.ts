import { isWordCode } from "../pii/char-codes.ts";
import { fnvOffset, fnvStep, lowerCode } from "./hashing.ts";

/** Token kinds: a word (letters, digits, marks), a line break, or one punctuation or symbol. */
export const tokenKinds = { word: 0, lineBreak: 1, punctuation: 2 } as const;

/**
 * The tokens of one text, in parallel typed arrays that are reused from call to call, so
 * tagging allocates nothing per token. `count` says how many entries are live.
 */
export interface Tokens {
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  kinds: Uint8Array;
  /** Hash of the lower-cased token. */
  hashes: Uint32Array;
  /** Hash of the token's shape: "Xx", "XX", "x", "d", "Xd"..., runs collapsed. */
  shapes: Uint32Array;
  /** True when the text has no upper-case letter at all (all cap-based cues are absent). */
  lowerCaseText: boolean;
}

export function createTokens(capacity = 256): Tokens {
  return {
    count: 0,
    starts: new Int32Array(capacity),
    ends: new Int32Array(capacity),
    kinds: new Uint8Array(capacity),
    hashes: new Uint32Array(capacity),
    shapes: new Uint32Array(capacity),
    lowerCaseText: false,
  };
}

function grow(tokens: Tokens, needed: number): void {
  if (needed <= tokens.starts.length) return;
  const capacity = Math.max(needed, tokens.starts.length * 2);
  const copy = <T extends Int32Array | Uint32Array | Uint8Array>(from: T, to: T): T => {
    to.set(from);
    return to;
  };
  tokens.starts = copy(tokens.starts, new Int32Array(capacity));
  tokens.ends = copy(tokens.ends, new Int32Array(capacity));
  tokens.kinds = copy(tokens.kinds, new Uint8Array(capacity));
  tokens.hashes = copy(tokens.hashes, new Uint32Array(capacity));
  tokens.shapes = copy(tokens.shapes, new Uint32Array(capacity));
}

/** Zero-width characters, direction marks and byte-order marks separate nothing visible: skipped like spaces. */
function isInvisibleOrSpace(code: number): boolean {
  return (
    code === 32 ||
    code === 9 ||
    code === 13 ||
    code === 0xa0 ||
    code === 0xfeff ||
    code === 0x3000 ||
    (code >= 0x2000 && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202f) ||
    (code >= 0x205f && code <= 0x206f)
  );
}

function shapeClass(code: number): number {
  if (code >= 48 && code <= 57) return 100; // d
  const lower = lowerCode(code);
  if (lower !== code) return 88; // X
  if (code >= 97 && code <= 122) return 120; // x
  return code < 128 ? code : 120; // other scripts without case, and marks, count as lower
}

/** Splits `text` into tokens, in one pass. */
export function tokenize(text: string, tokens: Tokens): void {
  let count = 0;
  let hasUpper = false;
  let index = 0;
  const length = text.length;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (isInvisibleOrSpace(code)) {
      index++;
      continue;
    }
    grow(tokens, count + 1);
    const start = index;
    let hash = fnvOffset;
    let shape = fnvOffset;
    let kind: number = tokenKinds.punctuation;
    if (isWordCode(code)) {
      kind = tokenKinds.word;
      let lastClass = -1;
      let runLength = 0;
      while (index < length) {
        const current = text.charCodeAt(index);
        const joinsWord =
          (current === 39 || current === 0x2019) && index > start && isWordCode(text.charCodeAt(index + 1));
        if (!isWordCode(current) && !joinsWord) break;
        const lower = lowerCode(current);
        if (lower !== current) hasUpper = true;
        hash = fnvStep(hash, lower);
        const currentClass = shapeClass(current);
        runLength = currentClass === lastClass ? runLength + 1 : 1;
        if (runLength <= 2) shape = fnvStep(shape, currentClass); // "Xxxxx" and "Xxx" share the shape "Xxx"
        lastClass = currentClass;
        index++;
      }
    } else if (code === 10) {
      kind = tokenKinds.lineBreak;
      hash = fnvStep(hash, 10);
      shape = hash;
      index++;
    } else {
      const width = code >= 0xd800 && code <= 0xdbff && index + 1 < length ? 2 : 1;
      for (let offset = 0; offset < width; offset++) hash = fnvStep(hash, text.charCodeAt(index + offset));
      shape = hash;
      index += width;
    }
    tokens.starts[count] = start;
    tokens.ends[count] = index;
    tokens.kinds[count] = kind;
    tokens.hashes[count] = hash;
    tokens.shapes[count] = shape;
    count++;
  }
  tokens.count = count;
  tokens.lowerCaseText = !hasUpper;
}
