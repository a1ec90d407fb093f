/** One replacement of `text.slice(start, end)` by `replacement`. */
export interface TextEdit {
  start: number;
  end: number;
  replacement: string;
}

/**
 * Applies non-overlapping edits (any order) and returns the new text and a map from
 * offsets in the old text to offsets in the new one. An offset inside a replaced span maps
 * to the replacement's start (for a span start) or end (for a span end).
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): { text: string; edits: TextEdit[] } {
  if (edits.length === 0) return { text, edits: [] };
  const sorted = [...edits].sort((left, right) => left.start - right.start || right.end - left.end);
  let result = "";
  let at = 0;
  const kept: TextEdit[] = [];
  for (const edit of sorted) {
    if (edit.start < at) continue; // overlapping: the earlier (then the longer) edit wins
    result += text.slice(at, edit.start) + edit.replacement;
    at = edit.end;
    kept.push(edit);
  }
  return { text: result + text.slice(at), edits: kept };
}

/** Keeps a growing list of edits (sorted, non-overlapping) and maps old offsets to new ones. */
export class EditLog {
  private readonly edits: TextEdit[] = [];

  add(edits: readonly TextEdit[]): void {
    for (const edit of edits) this.edits.push(edit);
  }

  /** Where `offset` of the old text lands in the edited text; `side` says which end of a replaced span to use. */
  map(offset: number, side: "start" | "end" = "start"): number {
    let delta = 0;
    for (const edit of this.edits) {
      const insertion = edit.start === edit.end;
      // Text inserted exactly at `offset` lies before a span starting there and after one ending there.
      const before = insertion
        ? edit.start < offset || (edit.start === offset && side === "start")
        : edit.end <= offset;
      if (before) {
        delta += edit.replacement.length - (edit.end - edit.start);
        continue;
      }
      if (!insertion && edit.start < offset) {
        return side === "start" ? edit.start + delta : edit.start + delta + edit.replacement.length;
      }
      break;
    }
    return offset + delta;
  }

  /** A span of the old text as a span of the edited text. */
  mapSpan(span: { start: number; end: number }): { start: number; end: number } {
    return { start: this.map(span.start, "start"), end: this.map(span.end, "end") };
  }
}
