import { kindIndexOf } from "./labels.ts";
import type { Tokens } from "./tokenize.ts";

export interface TaggedSpan {
  kindIndex: number;
  start: number;
  end: number;
}

/**
 * Turns tags into character spans: a run of tokens of one kind is one span. Two spans of the same kind with only spaces between
 * them become one ("Maria" B-PERSON, "Silva" B-PERSON), and street-address parts split only by
 * line breaks or commas become one address, as people write an address over several lines.
 */
export function tagsToSpans(
  tokens: Tokens,
  context: { tags: Uint8Array; text: string; addressKind: number },
): TaggedSpan[] {
  const spans: TaggedSpan[] = [];
  let current: TaggedSpan | undefined;
  for (let position = 0; position < tokens.count; position++) {
    const tag = context.tags[position] ?? 0;
    const start = tokens.starts[position] ?? 0;
    const end = tokens.ends[position] ?? 0;
    if (tag === 0) {
      current = undefined;
      continue;
    }
    const kindIndex = kindIndexOf(tag);
    if (current && current.kindIndex === kindIndex) {
      current.end = end;
      continue;
    }
    const previous = spans[spans.length - 1];
    if (
      previous &&
      previous.kindIndex === kindIndex &&
      canJoin(context.text.slice(previous.end, start), kindIndex === context.addressKind)
    ) {
      previous.end = end;
      current = previous;
      continue;
    }
    current = { kindIndex, start, end };
    spans.push(current);
  }
  return spans;
}

function canJoin(gap: string, isAddress: boolean): boolean {
  if (gap.length > 8) return false;
  return isAddress ? /^[\s,]*$/.test(gap) : /^[ \t]*$/.test(gap);
}
