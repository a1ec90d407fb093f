/**
 * A table keyed by model name whose lookup also matches dated and suffixed variants of a
 * listed name: the exact name first, then the longest listed name the model extends at a
 * "-" boundary (gpt-4o-mini-2024-07-18 -> gpt-4o-mini, gpt-4-0613 -> gpt-4). The price and
 * context-window tables share it.
 */
export interface ModelTable<Value> {
  lookup(model: string): Value | undefined;
}

// Resolved lookups are memoised: the same few model names come back on every request.
// The bound keeps a stream of odd upstream names from growing the memo without end.
const MEMO_LIMIT = 1_000;

export function createModelTable<Value>(entries: Map<string, Value>): ModelTable<Value> {
  // Longest first, so "gpt-4o-mini-…" matches gpt-4o-mini before gpt-4o.
  const byLength = [...entries.keys()].sort((left, right) => right.length - left.length);
  const memo = new Map<string, Value | null>();
  return {
    lookup(model) {
      const known = memo.get(model);
      if (known !== undefined) return known ?? undefined;
      const found = resolve(model, entries, byLength);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(model, found ?? null);
      return found;
    },
  };
}

function resolve<Value>(model: string, entries: Map<string, Value>, byLength: string[]): Value | undefined {
  const exact = entries.get(model);
  if (exact !== undefined) return exact;
  for (const name of byLength) {
    if (model.length > name.length && model.startsWith(name) && model.charCodeAt(name.length) === 45 /* "-" */) {
      return entries.get(name);
    }
  }
  return undefined;
}
