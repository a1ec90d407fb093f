import type { StoredApiKey } from "./key-types.ts";

interface Entry {
  /** undefined: the store said there is no such key. */
  record: StoredApiKey | undefined;
  readAt: number;
}

/**
 * Records read from the store, by key id, bounded in size (oldest read evicted first).
 * Fresh entries answer verification without a store read; older ones are kept a while
 * longer for stale-if-error.
 */
export class VerificationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  set(id: string, record: StoredApiKey | undefined, readAt: number): void {
    this.entries.delete(id);
    this.entries.set(id, { record, readAt });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}
