export interface Span {
  start: number;
  end: number;
}

const LONGEST_SEGMENT = 400;

/**
 * Splits normalised text into the pieces a document-channel classifier scores: sentences,
 * lines and table cells, with long pieces cut at a space near every 400 code units. An
 * instruction slipped into an email or a table row becomes its own piece instead of being
 * diluted by the page around it.
 */
export function segmentText(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  const close = (end: number) => {
    pushBounded(spans, text, { start, end });
    start = end;
  };
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit === 0x0a || unit === 0x7c) close(index + 1);
    else if ((unit === 0x2e || unit === 0x21 || unit === 0x3f) && text.charCodeAt(index + 1) === 0x20) close(index + 1);
  }
  close(text.length);
  return spans;
}

/**
 * Cuts text into windows of at most `size` units at spaces, for channels that score whole
 * turns but must stay linear on very long ones.
 */
export function windowText(text: string, size: number): Span[] {
  const spans: Span[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.lastIndexOf(" ", end);
      if (space > start + size / 2) end = space;
    }
    spans.push({ start, end });
    start = end;
  }
  return spans;
}

function pushBounded(spans: Span[], text: string, span: Span): void {
  for (const piece of windowText(text.slice(span.start, span.end), LONGEST_SEGMENT)) {
    const start = span.start + piece.start;
    const end = span.start + piece.end;
    if (hasWordCharacter(text, { start, end })) spans.push({ start, end });
  }
}

function hasWordCharacter(text: string, span: Span): boolean {
  for (let index = span.start; index < span.end; index++) {
    const unit = text.charCodeAt(index);
    if ((unit >= 0x61 && unit <= 0x7a) || unit >= 0x80) return true;
  }
  return false;
}
