import { KeelError, noopEventSink, type EventSink, type Generation, type KeelEvent } from "@keel/spec";
import { utcDay } from "./ledger/query.ts";
import { addEntry, emptyTotals, type UsageEntry, type UsageLedger, type UsageTotals } from "./ledger/types.ts";
import { RequestEventTally } from "./request-event-tally.ts";
import { summarize } from "./summarize-request.ts";

export interface UsageTracker {
  /** Give this as `ctx.events` (it forwards to `options.events`), so cache hits are costed at 0 and their savings kept. */
  readonly events: EventSink;
  /** Records one generation's usage and cost in the ledger; returns it unchanged. */
  record(generation: Generation): Generation;
}

export interface UsageTrackingOptions {
  tenant: string;
  ledger: UsageLedger;
  /** Where the tracker's sink forwards events. Default: nowhere. */
  events?: EventSink;
  now?: () => number;
}

export interface UsageTrackingResult<T> {
  result: T;
  /** What the generations recorded inside `fn` used, summed. */
  usage: UsageTotals;
}

const quietObserver = { onEvent(_event: KeelEvent) {} };

/**
 * For teams that call the packages directly, without the pipeline's telemetry: records
 * the usage and cost of the generations produced inside `fn` into a ledger, with the
 * same rules as the middleware (a cache hit costs 0 and records what it saved).
 */
export async function withUsageTracking<T>(
  fn: (track: UsageTracker) => Promise<T>,
  options: UsageTrackingOptions,
): Promise<UsageTrackingResult<T>> {
  if (typeof options?.tenant !== "string" || options.tenant.length === 0) {
    throw new KeelError("BAD_REQUEST", "tenant must be a non-empty string", { details: { field: "tenant" } });
  }
  const now = options.now ?? Date.now;
  const parent = options.events ?? noopEventSink;
  const usage = emptyTotals();
  // Events between two recorded generations belong to the second one.
  let tally = new RequestEventTally(parent, quietObserver, undefined);
  const tracker: UsageTracker = {
    events: { emit: (event) => tally.emit(event) },
    record(generation) {
      const at = now();
      const summary = summarize({
        tally,
        requestId: generation.id,
        tenant: options.tenant,
        operation: "generate",
        route: generation.model,
        startedAtMs: at,
        endedAtMs: at,
        generation,
      });
      tally = new RequestEventTally(parent, quietObserver, undefined);
      const entry: UsageEntry = {
        tenant: options.tenant,
        model: generation.model,
        day: utcDay(at),
        error: false,
        cacheHit: summary.cache !== undefined && summary.cache !== "miss",
        promptTokens: summary.inputTokens,
        completionTokens: summary.outputTokens,
        estimated: summary.estimated,
        costUsd: summary.costUsd,
        savedTokens: summary.savedTokens,
        savedUsd: summary.savedUsd,
      };
      options.ledger.record(entry);
      addEntry(usage, entry);
      return generation;
    },
  };
  const result = await fn(tracker);
  return { result, usage };
}
