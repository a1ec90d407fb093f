/**
 * A transformed string with, for each of its UTF-16 code units, the span of the caller's
 * original string it came from. A span found in `text` maps back with `originalSpan`.
 */
export interface MappedText {
  readonly text: string;
  /** Original offset where the code unit at each index starts; absent when the map is the identity. */
  readonly starts?: Int32Array;
  /** Original offset (exclusive) where the code unit at each index ends; absent when the map is the identity. */
  readonly ends?: Int32Array;
}

export function originalSpan(mapped: MappedText, span: { start: number; end: number }): { start: number; end: number } {
  const last = mapped.text.length - 1;
  if (last < 0) return { start: 0, end: 0 };
  const first = Math.min(Math.max(span.start, 0), last);
  const final = Math.min(Math.max(span.end - 1, 0), last);
  const start = mapped.starts === undefined ? first : mapped.starts[first]!;
  const end = mapped.ends === undefined ? final + 1 : mapped.ends[final]!;
  return { start, end: Math.max(start, end) };
}

/** Working arrays of a builder, kept between passes. */
interface BuilderArrays {
  units: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
}

/**
 * The working arrays of the last finished builder. The passes run one after another, and each
 * copies its output out in `finish`, so the next pass can write into the same arrays instead of
 * allocating three new ones per pass (garbage collection was about 5 % of the input stage).
 */
let spare: BuilderArrays | undefined;
/** A megabyte of text should not keep ten megabytes of arrays alive: larger ones are dropped. */
const LARGEST_SPARE = 1 << 16;
const EMPTY: BuilderArrays = { units: new Uint16Array(0), starts: new Int32Array(0), ends: new Int32Array(0) };

/**
 * Appends output code units with their source spans in the stage's input, growing by
 * doubling so a whole pass stays linear. `finish` composes with the previous stage's map.
 */
export class MappedTextBuilder {
  private units: Uint16Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private length = 0;

  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    const reused = spare !== undefined && spare.units.length >= size ? spare : undefined;
    if (reused !== undefined) spare = undefined;
    this.units = reused?.units ?? new Uint16Array(size);
    this.starts = reused?.starts ?? new Int32Array(size);
    this.ends = reused?.ends ?? new Int32Array(size);
  }

  /** One output code unit from source span [start, end). */
  push(unit: number, start: number, end: number): void {
    if (this.length === this.units.length) this.grow();
    this.units[this.length] = unit;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  /** Every code unit of `text`, all from source span [start, end). */
  pushString(text: string, start: number, end: number): void {
    for (let index = 0; index < text.length; index++) this.push(text.charCodeAt(index), start, end);
  }

  /** The output, with spans translated through the map of the stage's input. */
  finish(input: MappedText): MappedText {
    const text = decodeUnits(this.units.subarray(0, this.length));
    const starts = this.starts.slice(0, this.length);
    const ends = this.ends.slice(0, this.length);
    if (input.starts !== undefined && input.ends !== undefined) {
      const lastInput = input.text.length - 1;
      for (let index = 0; index < this.length; index++) {
        starts[index] = input.starts[Math.min(starts[index]!, lastInput)]!;
        ends[index] = input.ends[Math.min(Math.max(ends[index]! - 1, 0), lastInput)]!;
      }
    }
    // The output is copied out above: the working arrays go back for the next pass, and this
    // builder is left empty (a push after finish grows fresh arrays, never the spare ones).
    const kept = this.units.length <= LARGEST_SPARE && (spare === undefined || spare.units.length < this.units.length);
    if (kept) {
      spare = { units: this.units, starts: this.starts, ends: this.ends };
    }
    ({ units: this.units, starts: this.starts, ends: this.ends } = EMPTY);
    this.length = 0;
    return { text, starts, ends };
  }

  private grow(): void {
    const size = Math.max(16, this.units.length * 2);
    const units = new Uint16Array(size);
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    units.set(this.units);
    starts.set(this.starts);
    ends.set(this.ends);
    this.units = units;
    this.starts = starts;
    this.ends = ends;
  }
}

/** The identity map of a string: each code unit maps to itself. */
export function identityMapped(text: string): MappedText {
  return { text };
}

const UTF16 = new TextDecoder("utf-16le");

function decodeUnits(units: Uint16Array): string {
  // Lone surrogates survive: utf-16le decoding of a Uint16Array keeps every code unit except
  // unpaired halves, which become U+FFFD of the same length, so offsets never shift.
  return UTF16.decode(units);
}
