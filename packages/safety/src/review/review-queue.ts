import { randomBytes } from "node:crypto";
import {
  type ChatRequest,
  type EventSink,
  type Generation,
  KeelError,
  noopEventSink,
  type ReviewState,
  type SafetyReport,
} from "@keel/spec";
import type { ReviewMode } from "../policy/policy.ts";
import { type ReviewItem, type ReviewSummary, summaryOf } from "./review-item.ts";
import type { ReviewStore } from "./review-store.ts";

export interface ReviewQueueOptions {
  store: ReviewStore;
  /** Pipeline-level sink for `review-decided` (telemetry's). */
  events?: EventSink;
  /** How long a decided item stays readable for the audit. Default 7 days. */
  retentionMs?: number;
  /** How often overdue items are expired (their expiry decision applied). Default 30 s; 0 = never (reads still expire them). */
  sweepEveryMs?: number;
  /** How often `watch` re-reads an item another instance may decide. Default 1,000 ms. */
  pollMs?: number;
  now?: () => number;
}

export interface NewReviewItem {
  tenant: string;
  route: string;
  mode: ReviewMode;
  detectors: string[];
  ttlMs: number;
  onExpiry: "release" | "reject";
  safety: SafetyReport;
  request: ChatRequest;
  generation: Generation;
}

export interface ReviewListQuery {
  route?: string;
  /** Items a given policy entry asked review for ("toxicity", "claims", ...). */
  detector?: string;
  /** Only items older than this. */
  olderThanMs?: number;
  /** From a previous page's `cursor`. */
  cursor?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface ReviewPage {
  items: ReviewSummary[];
  /** Pass it back for the next page; absent when there is none. */
  cursor?: string;
}

/** The reviewer operations and the caller's view of a held answer, every one scoped to a tenant. */
export interface ReviewQueue {
  create(item: NewReviewItem, events?: EventSink): Promise<ReviewItem>;
  list(tenant: string, query?: ReviewListQuery): Promise<ReviewPage>;
  /** The item with its findings, the caller's request and the held answer (personal data shown: reviewers only). */
  get(tenant: string, id: string): Promise<ReviewItem>;
  approve(tenant: string, id: string, decision: { reviewer: string }): Promise<ReviewItem>;
  reject(tenant: string, id: string, decision: { reviewer: string; reason: string }): Promise<ReviewItem>;
  /** Replaces the answer's content and approves it. */
  edit(tenant: string, id: string, decision: { reviewer: string; content: string }): Promise<ReviewItem>;
  /**
   * For the caller: while pending, the Generation with `review.state: "pending"` and no
   * content; once released (approved, edited, expired with release) the final Generation;
   * rejected (or expired with reject): CONTENT_BLOCKED.
   */
  getDecision(tenant: string, id: string): Promise<Generation>;
  /** The pending Generation, then the final one (or CONTENT_BLOCKED thrown); ends when decided or `signal` aborts. */
  watch(tenant: string, id: string, options?: { signal?: AbortSignal }): AsyncIterable<Generation>;
  /** Applies the expiry decision to overdue items now; returns how many. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;
const MAX_LIMIT = 500;
/** Most items one `list` call reads while filtering, so a filter matching little stays cheap. */
const MAX_SCANNED = 2_000;

/**
 * Human review of held and flagged answers, on a ReviewStore (memory or Redis). Decisions
 * are atomic (a second reviewer, or the expiry, finds the item decided), recorded with
 * who and when, and emitted as `review-decided`. Unknown ids and other tenants' ids get
 * the same BAD_REQUEST, so a tenant cannot even learn that another's item exists.
 */
export function createReviewQueue(options: ReviewQueueOptions): ReviewQueue {
  const { store } = options;
  const now = options.now ?? Date.now;
  const events = options.events ?? noopEventSink;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const pollMs = options.pollMs ?? 1_000;
  const waiters = new Map<string, Set<() => void>>();
  const wake = (tenant: string, id: string) => {
    for (const waiter of waiters.get(`${tenant}\n${id}`) ?? []) waiter();
  };

  const decide = async (item: ReviewItem, state: Exclude<ReviewState, "pending">, decision: ReviewItem["decision"]) => {
    const decided: ReviewItem = { ...item, state, ...(decision === undefined ? {} : { decision }) };
    if (!(await store.decide(decided, retentionMs))) return undefined;
    events.emit({
      type: "review-decided",
      route: item.route,
      decision: state,
      mode: item.mode,
      timeToDecisionMs: Math.max(0, (decision?.at ?? now()) - item.createdAt),
    });
    wake(item.tenant, item.id);
    return decided;
  };

  /** The item as it stands now: an overdue pending item gets its expiry decision first. */
  const current = async (tenant: string, id: string): Promise<ReviewItem> => {
    const item = typeof id === "string" && id !== "" ? await store.get(tenant, id) : undefined;
    if (item === undefined || item.tenant !== tenant) throw notFound();
    if (item.state !== "pending" || item.expiresAt > now()) return item;
    const expired = await decide(item, "expired", { reviewer: "(expiry)", at: now(), outcome: item.onExpiry });
    return expired ?? current(tenant, id);
  };

  const decideByReviewer = async (
    tenant: string,
    id: string,
    change: { state: "approved" | "edited" | "rejected"; reviewer: string; reason?: string; content?: string },
  ) => {
    if (typeof change.reviewer !== "string" || change.reviewer.trim() === "")
      throw badDecision("reviewer", "a decision needs the reviewer's name");
    const item = await current(tenant, id);
    if (item.state !== "pending") throw alreadyDecided(item.state);
    const generation = change.content === undefined ? item.generation : { ...item.generation, content: change.content };
    const decided = await decide({ ...item, generation }, change.state, {
      reviewer: change.reviewer,
      at: now(),
      ...(change.reason === undefined ? {} : { reason: change.reason }),
    });
    if (decided === undefined) throw alreadyDecided((await current(tenant, id)).state);
    return decided;
  };

  const sweepTimer =
    (options.sweepEveryMs ?? 30_000) > 0
      ? setInterval(() => void queue.sweep().catch(() => undefined), options.sweepEveryMs ?? 30_000)
      : undefined;
  sweepTimer?.unref();

  const queue: ReviewQueue = {
    async create(input, requestEvents = noopEventSink) {
      const createdAt = now();
      const item: ReviewItem = {
        id: newReviewId(createdAt),
        tenant: input.tenant,
        route: input.route,
        mode: input.mode,
        state: "pending",
        detectors: input.detectors,
        createdAt,
        expiresAt: createdAt + input.ttlMs,
        onExpiry: input.onExpiry,
        safety: input.safety,
        request: input.request,
        generation: input.generation,
      };
      await store.create(item, retentionMs);
      for (const detector of input.detectors)
        requestEvents.emit({ type: "review-created", route: input.route, detector, mode: input.mode });
      return item;
    },
    async list(tenant, query = {}) {
      const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 50)), MAX_LIMIT);
      const items: ReviewSummary[] = [];
      let after = query.cursor;
      let scanned = 0;
      const oldest = query.olderThanMs === undefined ? undefined : now() - query.olderThanMs;
      while (items.length < limit && scanned < MAX_SCANNED) {
        const page = await store.listPending(tenant, { ...(after === undefined ? {} : { after }), limit });
        if (page.length === 0) return { items };
        for (const item of page) {
          scanned += 1;
          after = item.id;
          if (item.tenant !== tenant) continue;
          if (item.expiresAt <= now()) {
            await current(tenant, item.id).catch(() => undefined);
            continue;
          }
          if (query.route !== undefined && item.route !== query.route) continue;
          if (query.detector !== undefined && !item.detectors.includes(query.detector)) continue;
          if (oldest !== undefined && item.createdAt > oldest) continue;
          items.push(summaryOf(item));
          if (items.length >= limit) break;
        }
        if (page.length < limit && items.length < limit) return { items };
      }
      return after === undefined ? { items } : { items, cursor: after };
    },
    get: (tenant, id) => current(tenant, id),
    approve: (tenant, id, decision) => decideByReviewer(tenant, id, { state: "approved", reviewer: decision.reviewer }),
    reject(tenant, id, decision) {
      if (typeof decision.reason !== "string" || decision.reason.trim() === "")
        return Promise.reject(badDecision("reason", "a rejection needs a reason"));
      return decideByReviewer(tenant, id, { state: "rejected", reviewer: decision.reviewer, reason: decision.reason });
    },
    edit(tenant, id, decision) {
      if (typeof decision.content !== "string")
        return Promise.reject(badDecision("content", "expected the new content"));
      return decideByReviewer(tenant, id, { state: "edited", reviewer: decision.reviewer, content: decision.content });
    },
    async getDecision(tenant, id) {
      return outcomeOf(await current(tenant, id));
    },
    watch(tenant, id, watchOptions = {}) {
      return watchItem({ tenant, id, signal: watchOptions.signal, read: current, waiters, pollMs, now });
    },
    async sweep() {
      let expired = 0;
      for (const { tenant, id } of await store.overdue(now(), 500)) {
        const item = await current(tenant, id).catch(() => undefined);
        if (item?.state === "expired") expired += 1;
      }
      return expired;
    },
    async close() {
      if (sweepTimer) clearInterval(sweepTimer);
      for (const set of waiters.values()) for (const waiter of set) waiter();
      await store.close();
    },
  };
  return queue;
}

/** What the caller gets for an item in its current state. */
export function outcomeOf(item: ReviewItem): Generation {
  const review = { id: item.id, state: item.state };
  if (item.state === "pending") {
    const { data: _data, toolCalls: _toolCalls, ...held } = item.generation;
    return { ...held, content: "", review };
  }
  const rejected = item.state === "rejected" || (item.state === "expired" && item.decision?.outcome === "reject");
  if (rejected) {
    throw new KeelError(
      "CONTENT_BLOCKED",
      item.state === "rejected" ? "the answer was rejected in review" : "the answer was not reviewed in time",
      {
        retryable: false,
        details: { reason: item.state === "rejected" ? "review-rejected" : "review-expired", reviewId: item.id },
      },
    );
  }
  if (item.state === "edited") {
    // The reviewer's text replaces the answer; a parsed value of the old text would not match it.
    const { data: _data, ...edited } = item.generation;
    return { ...edited, review };
  }
  return { ...item.generation, review };
}

async function* watchItem(options: {
  tenant: string;
  id: string;
  signal: AbortSignal | undefined;
  read: (tenant: string, id: string) => Promise<ReviewItem>;
  waiters: Map<string, Set<() => void>>;
  pollMs: number;
  now: () => number;
}): AsyncGenerator<Generation, void, undefined> {
  const { tenant, id, signal, read, waiters, pollMs, now } = options;
  let item = await read(tenant, id);
  yield outcomeOf(item);
  // Already decided: that was the final answer (yielding it again would repeat it to the caller).
  if (item.state !== "pending") return;
  const key = `${tenant}\n${id}`;
  while (item.state === "pending" && !signal?.aborted) {
    await new Promise<void>((resolve) => {
      const set = waiters.get(key) ?? new Set();
      waiters.set(key, set);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0) waiters.delete(key);
        resolve();
      };
      // The expiry may come before the next poll.
      const timer = setTimeout(done, Math.max(1, Math.min(pollMs, item.expiresAt - now() + 5)));
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
    if (signal?.aborted) return;
    item = await read(tenant, id);
  }
  if (item.state !== "pending") yield outcomeOf(item);
}

let sequence = 0;

/**
 * Creation time and a per-process sequence first (base 36, fixed width), so ids sort in
 * creation order, then 64 random bits, so an id cannot be guessed.
 */
function newReviewId(at: number): string {
  sequence = (sequence + 1) % 36 ** 5;
  const order = `${at.toString(36).padStart(9, "0")}${sequence.toString(36).padStart(5, "0")}`;
  return `rv_${order}${randomBytes(8).toString("hex")}`;
}

function notFound(): KeelError {
  return new KeelError("BAD_REQUEST", "no review item with this id", {
    details: { field: "id", reason: "review-not-found" },
  });
}

function alreadyDecided(state: ReviewState): KeelError {
  return new KeelError("BAD_REQUEST", `the review item was already decided (${state})`, {
    details: { field: "id", reason: "review-already-decided", state },
  });
}

function badDecision(field: string, message: string): KeelError {
  return new KeelError("BAD_REQUEST", `${field}: ${message}`, { details: { field } });
}
