import type { KeyBackend } from "./key-backend.ts";
import { applyPatch, pageOf } from "./key-records.ts";
import type { StoredApiKey } from "./key-types.ts";

/** Keys in process memory: for tests and single-process tools. Gone on restart. */
export function createMemoryKeyBackend(): KeyBackend {
  const records = new Map<string, StoredApiKey>();
  return {
    kind: "memory",
    async insert(record) {
      if (records.has(record.id)) return false;
      records.set(record.id, structuredClone(record));
      return true;
    },
    async read(id) {
      const record = records.get(id);
      return record && structuredClone(record);
    },
    async patch(id, patch) {
      const record = records.get(id);
      if (!record) return undefined;
      const next = applyPatch(record, patch);
      records.set(id, next);
      return structuredClone(next);
    },
    async list(query) {
      return pageOf(records.values(), query);
    },
    health: () => ({ ok: true, kind: "memory" }),
    async close() {},
  };
}
