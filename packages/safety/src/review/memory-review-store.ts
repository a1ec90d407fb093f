import type { ReviewItem } from "./review-item.ts";
import type { ReviewStore } from "./review-store.ts";

/** Review items in this process's memory: for one instance and for tests. Lost on restart. */
export function createMemoryReviewStore(options: { now?: () => number } = {}): ReviewStore {
  const now = options.now ?? Date.now;
  const tenants = new Map<string, Map<string, { item: ReviewItem; keepUntil: number }>>();
  const itemsOf = (tenant: string) => {
    let items = tenants.get(tenant);
    if (items === undefined) {
      items = new Map();
      tenants.set(tenant, items);
    }
    return items;
  };
  const live = (tenant: string, id: string) => {
    const entry = tenants.get(tenant)?.get(id);
    if (entry === undefined) return undefined;
    if (entry.keepUntil <= now()) {
      tenants.get(tenant)?.delete(id);
      return undefined;
    }
    return entry;
  };
  const copy = (item: ReviewItem): ReviewItem => structuredClone(item);
  return {
    async create(item, retentionMs) {
      itemsOf(item.tenant).set(item.id, { item: copy(item), keepUntil: item.expiresAt + retentionMs });
    },
    async get(tenant, id) {
      const entry = live(tenant, id);
      return entry === undefined ? undefined : copy(entry.item);
    },
    async decide(item, retentionMs) {
      const entry = live(item.tenant, item.id);
      if (entry === undefined || entry.item.state !== "pending") return false;
      itemsOf(item.tenant).set(item.id, { item: copy(item), keepUntil: now() + retentionMs });
      return true;
    },
    async listPending(tenant, { after, limit }) {
      const page: ReviewItem[] = [];
      // Ids sort by creation time; a Map keeps insertion order, which is creation order here.
      for (const [id] of tenants.get(tenant) ?? []) {
        if (after !== undefined && id <= after) continue;
        const entry = live(tenant, id);
        if (entry === undefined || entry.item.state !== "pending") continue;
        page.push(copy(entry.item));
        if (page.length >= limit) break;
      }
      return page;
    },
    async overdue(at, limit) {
      const found: { tenant: string; id: string }[] = [];
      for (const [tenant, items] of tenants) {
        for (const [id, entry] of items) {
          if (entry.keepUntil <= at) {
            items.delete(id);
            continue;
          }
          if (entry.item.state === "pending" && entry.item.expiresAt <= at) found.push({ tenant, id });
          if (found.length >= limit) return found;
        }
      }
      return found;
    },
    async close() {
      tenants.clear();
    },
  };
}
