import type { ReviewItem } from "./review-item.ts";

/**
 * Where review items live. Every method is scoped to one tenant (except `overdue`, which
 * the queue's expiry sweep uses); ids are ordered by creation, so a page is "the next
 * `limit` pending ids after `after`".
 */
export interface ReviewStore {
  /** Stores a new pending item; it is kept until `expiresAt` plus `retentionMs`. */
  create(item: ReviewItem, retentionMs: number): Promise<void>;
  get(tenant: string, id: string): Promise<ReviewItem | undefined>;
  /**
   * Replaces a pending item by its decided form, atomically: false when it was no longer
   * pending (another reviewer or the expiry got there first). Kept `retentionMs` more.
   */
  decide(item: ReviewItem, retentionMs: number): Promise<boolean>;
  /** Pending items of a tenant, oldest first, after the id `after`. */
  listPending(tenant: string, options: { after?: string; limit: number }): Promise<ReviewItem[]>;
  /** Pending items of any tenant whose `expiresAt` has passed. */
  overdue(now: number, limit: number): Promise<{ tenant: string; id: string }[]>;
  close(): Promise<void>;
}
