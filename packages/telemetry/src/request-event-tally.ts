import { addUsd, type EventSink, type KeelEvent, type SafetyAction } from "@keel/spec";

/** What the tally needs from its Telemetry: counters that follow events as they happen. */
export interface EventObserver {
  onEvent(event: KeelEvent): void;
}

/** One upstream call as a trace span needs it (kept only when tracing is on). */
export interface AttemptRecord {
  target: string;
  startMs: number;
  endMs: number;
  ok: boolean;
  code: string | undefined;
  status: number | undefined;
  inputTokens: number;
  outputTokens: number;
}

export type CacheServed = "exact" | "semantic" | "stale" | "coalesced";

/**
 * The tee on a request's event sink: forwards every event to the sink it wraps, feeds the
 * shared counters, and keeps the few facts the request's log line, metrics and ledger
 * entry need. One object per request with plain fields; lists only when something happened.
 */
export class RequestEventTally implements EventSink {
  upstreamCalls = 0;
  upstreamMs = 0;
  backoffMs = 0;
  upstreamTtftMs: number | undefined = undefined;
  retries = 0;
  /** "from -> to (CODE)" hops, in order. */
  fallbacks: string[] | undefined = undefined;
  lastTarget: string | undefined = undefined;
  cacheLookup = false;
  cacheServed: CacheServed | undefined = undefined;
  savedTokens = 0;
  savedUsd = 0;
  validationAttempts = 0;
  validationValid: boolean | undefined = undefined;
  validationRepaired = false;
  /** "stage:detector:kind:action" per finding. */
  safety: string[] | undefined = undefined;
  safetyBlocked = false;
  /** "hold" or "flag" when the answer went to human review. */
  review: "hold" | "flag" | undefined = undefined;
  /** Usage summed from upstream responses: what a failed request still consumed. */
  upstreamInputTokens = 0;
  upstreamOutputTokens = 0;
  upstreamEstimated = false;
  degraded: "stale" | "static" | undefined = undefined;
  /** "rule -> target", and " escalated to target" after an escalation. */
  selection: string | undefined = undefined;
  promptTokensSaved: number | undefined = undefined;
  attempts: AttemptRecord[] | undefined;

  constructor(
    private readonly parent: EventSink,
    private readonly observer: EventObserver,
    /** Set only when tracing is on: the clock that stamps attempt spans. */
    private readonly clock: (() => number) | undefined,
  ) {
    this.attempts = clock === undefined ? undefined : [];
  }

  emit(event: KeelEvent): void {
    try {
      this.parent.emit(event);
    } catch {
      // A sink must never throw; if an outer one does, this request still goes on.
    }
    try {
      this.observer.onEvent(event);
      this.take(event);
    } catch {
      // Telemetry never throws into the pipeline.
    }
  }

  private take(event: KeelEvent): void {
    switch (event.type) {
      case "upstream-request":
        this.upstreamCalls += 1;
        this.lastTarget = event.target;
        break;
      case "upstream-response":
        this.upstreamMs += event.durationMs;
        this.lastTarget = event.target;
        this.upstreamInputTokens += event.usage.promptTokens;
        this.upstreamOutputTokens += event.usage.completionTokens;
        if (event.usage.estimated === true) this.upstreamEstimated = true;
        if (event.ttftMs !== undefined) this.upstreamTtftMs = event.ttftMs;
        if (this.attempts !== undefined)
          this.addAttempt(event.target, event.durationMs, {
            ok: true,
            input: event.usage.promptTokens,
            output: event.usage.completionTokens,
          });
        break;
      case "upstream-error":
        this.upstreamMs += event.durationMs;
        this.lastTarget = event.target;
        if (this.attempts !== undefined)
          this.addAttempt(event.target, event.durationMs, { ok: false, code: event.code, status: event.status });
        break;
      case "upstream-first-chunk":
        this.upstreamTtftMs = event.ttftMs;
        break;
      case "retry-attempt":
        this.retries += 1;
        this.backoffMs += event.delayMs;
        break;
      case "fallback":
        this.fallbacks ??= [];
        this.fallbacks.push(`${event.from} -> ${event.to} (${event.code})`);
        break;
      case "degraded":
        this.degraded = event.mode;
        break;
      case "cache-miss":
        this.cacheLookup = true;
        break;
      case "cache-hit":
        this.cacheLookup = true;
        this.served(event.kind, event.savedTokens, event.savedUsd);
        break;
      case "cache-stale":
        this.cacheLookup = true;
        this.served("stale", event.savedTokens, event.savedUsd);
        break;
      case "cache-coalesced":
        this.cacheLookup = true;
        this.served("coalesced", event.savedTokens, event.savedUsd);
        break;
      case "validation-attempt":
        this.validationAttempts += 1;
        this.validationValid = event.valid;
        if (event.repaired) this.validationRepaired = true;
        break;
      case "model-selected":
        this.selection = `${event.rule} -> ${event.target}`;
        break;
      case "model-escalated":
        this.selection = `${this.selection ?? event.from} escalated to ${event.to}`;
        break;
      case "prompt-optimised":
        for (const transform of event.transforms)
          this.promptTokensSaved = (this.promptTokensSaved ?? 0) + transform.tokensSaved;
        break;
      case "safety-finding":
        this.safetyFinding(`${event.stage}:${event.detector}:${event.kind}:${event.action}`, event.action);
        break;
      case "review-created":
        if (this.review !== "hold") this.review = event.mode;
        break;
      default:
        break;
    }
  }

  private served(kind: CacheServed, savedTokens: number, savedUsd: number): void {
    this.cacheServed = kind;
    this.savedTokens += savedTokens;
    this.savedUsd = addUsd(this.savedUsd, savedUsd);
  }

  private safetyFinding(entry: string, action: SafetyAction): void {
    this.safety ??= [];
    this.safety.push(entry);
    if (action === "block") this.safetyBlocked = true;
  }

  private addAttempt(
    target: string,
    durationMs: number,
    result: { ok: boolean; code?: string; status?: number | undefined; input?: number; output?: number },
  ): void {
    const endMs = this.clock!();
    this.attempts!.push({
      target,
      startMs: endMs - durationMs,
      endMs,
      ok: result.ok,
      code: result.code,
      status: result.status,
      inputTokens: result.input ?? 0,
      outputTokens: result.output ?? 0,
    });
  }
}
