export interface ClaimSpan {
  start: number;
  end: number;
}

/**
 * Splits an answer into claims: sentences (ending in ., ! or ? before a space or the end,
 * unless the dot ends a short abbreviation or an initial) and semicolon clauses, trimmed.
 */
export function splitClaims(answer: string): ClaimSpan[] {
  const spans: ClaimSpan[] = [];
  let start = 0;
  for (let index = 0; index < answer.length; index++) {
    const char = answer[index]!;
    const next = answer[index + 1];
    const boundary =
      char === ";" || (/[.!?]/.test(char) && (next === undefined || /\s/.test(next)) && !abbreviation(answer, index));
    if (boundary) {
      pushTrimmed(spans, answer, { start, end: index + 1 });
      start = index + 1;
    }
  }
  pushTrimmed(spans, answer, { start, end: answer.length });
  return spans;
}

const ABBREVIATIONS = new Set(["dr", "mr", "mrs", "ms", "st", "jr", "sr", "mt", "vs", "etc", "inc", "co", "ltd", "no"]);

/** "Dr.", "St.", "U.S." or "J." end no sentence. */
function abbreviation(text: string, dot: number): boolean {
  if (text[dot] !== ".") return false;
  const word = /(\S+)$/.exec(text.slice(Math.max(0, dot - 12), dot))?.[1] ?? "";
  return /^[A-Z]$/.test(word) || word.includes(".") || ABBREVIATIONS.has(word.toLowerCase());
}

function pushTrimmed(spans: ClaimSpan[], text: string, span: ClaimSpan): void {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /[\s;]/.test(text[end - 1]!)) end--;
  if (/[\p{L}\p{N}]/u.test(text.slice(start, end))) spans.push({ start, end });
}
