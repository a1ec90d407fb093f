import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth and undefined members dropped, so two
 * requests that differ only in key order (or in absent-vs-undefined) serialise alike.
 *
 * Written into one string as it goes (no member array, no join, no per-key JSON.stringify
 * for the keys it has seen): every request builds two of these, and the arrays and pieces
 * were about 3 KB of garbage per request. The text is the same as the first version's,
 * which `canonical-json.test.ts` checks value by value (cache keys must not move).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let text = "[";
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ",";
      // A hole writes nothing, as `map` then `join` did.
      if (!(index in value)) continue;
      const item: unknown = value[index];
      text += item === undefined ? "null" : canonicalJson(item);
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Sorting copies the key list; material built with its keys in order (cache-key.ts) needs none.
  if (!isSorted(keys)) keys.sort();
  let text = "{";
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === "function") continue;
    text += `${text.length === 1 ? "" : ","}${quotedKey(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}

/** Whether `keys` are in the default sort's order (UTF-16 code units, as `<` compares strings). */
function isSorted(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index++) if (keys[index - 1]! > keys[index]!) return false;
  return true;
}

// Quoted keys seen so far: request fields, message fields, schema property names. Bounded, as
// schemas come from callers.
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 1_024;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
