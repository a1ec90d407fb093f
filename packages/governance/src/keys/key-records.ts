import type { KeyListPage, KeyListQuery, KeyPatch } from "./key-backend.ts";
import type { StoredApiKey } from "./key-types.ts";

/** The order keys are listed in: creation time, then id. Fixed width, so it sorts as text. */
export function sortKey(record: Pick<StoredApiKey, "createdAt" | "id">): string {
  return `${String(Date.parse(record.createdAt)).padStart(15, "0")}:${record.id}`;
}

export const SORT_KEY_PATTERN = /^\d{15}:[a-z0-9]{12}$/;

/** The record with the patch applied; `null` deletes, undefined leaves a field alone. */
export function applyPatch(record: StoredApiKey, patch: KeyPatch): StoredApiKey {
  const next: Record<string, unknown> = { ...record };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as unknown as StoredApiKey;
}

/** One page out of records held in memory (the memory and file backends). */
export function pageOf(records: Iterable<StoredApiKey>, query: KeyListQuery): KeyListPage {
  const matching = [...records]
    .filter((record) => query.tenant === undefined || record.tenant === query.tenant)
    .map((record) => ({ record, key: sortKey(record) }))
    .filter(({ key }) => query.after === undefined || key > query.after)
    .sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0));
  const page = matching.slice(0, query.limit);
  const more = matching.length > query.limit;
  return {
    records: page.map(({ record }) => structuredClone(record)),
    last: more ? page.at(-1)?.key : undefined,
  };
}
