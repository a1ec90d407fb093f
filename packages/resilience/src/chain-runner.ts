import {
  toKeelError,
  type ChatRequest,
  type FallbackFailure,
  type KeelError,
  type Model,
  type RequestContext,
} from "@keel/spec";
import { countAttempts, finalError } from "./chain-outcome.ts";
import { classifyFailure, type FallbackRules } from "./fallback-rules.ts";
import { withTrack, type RequestTrack } from "./request-track.ts";
import { ABORTED, linkController, onAbort, type LinkedController } from "./signals.ts";

export interface ChainTarget {
  name: string;
  model: Model;
}

/** One call of one target for one request. */
export interface Launch {
  target: ChainTarget;
  track: RequestTrack;
  /** Only when hedging: lets the chain cancel this call alone. */
  link: LinkedController | undefined;
  /** Upstream calls of a target that does not report them through the track. */
  reportedCalls: number;
}

export interface ChainRun<T> {
  targets: readonly ChainTarget[];
  rules: Required<FallbackRules>;
  hedgeAfterMs: number | undefined;
  request: ChatRequest;
  ctx: RequestContext;
  call(target: ChainTarget, ctx: RequestContext): Promise<T>;
  /** A hedge loser that answered after all: release what it holds. */
  discard(value: T): void;
}

export interface ChainWin<T> {
  value: T;
  launch: Launch;
  failed: FallbackFailure[];
  /** Upstream calls across every launch; the winner's own count when it does not use the track. */
  attempts(winnerReported: number): number;
}

type Settled<T> = { launch: Launch; ok: true; value: T } | { launch: Launch; ok: false; error: KeelError };
const HEDGE = Symbol("hedge");

/**
 * Tries the targets in order, applying the rules to each failure, with at most one
 * hedge (for idempotent requests): when the first call has not answered within
 * hedgeAfterMs the next target starts too, the first good answer wins and the other
 * call is aborted. Never outlives ctx.signal. When every target fails it throws the
 * most meaningful failure with details.fallback (every failed target) and
 * details.attempts.
 */
export async function runChain<T>(run: ChainRun<T>): Promise<ChainWin<T>> {
  const { targets, rules, ctx } = run;
  const failed: FallbackFailure[] = [];
  const errors: KeelError[] = [];
  const launches: Launch[] = [];
  const inFlight = new Map<Launch, Promise<Settled<T>>>();
  const tried = new Set<number>();
  let cursor = 0;
  let stopError: KeelError | undefined;
  let winner: Launch | undefined;
  const hedgeWanted = run.hedgeAfterMs !== undefined && run.request.idempotent === true && targets.length > 1;
  let hedge: { promise: Promise<typeof HEDGE>; timer: NodeJS.Timeout } | undefined;
  const aborted = onAbort(ctx.signal);

  const otherTargetsLeft = (): boolean => tried.size < targets.length;
  const pickNext = (): number | undefined => {
    while (cursor < targets.length && tried.has(cursor)) cursor += 1;
    return cursor < targets.length ? cursor : undefined;
  };
  const start = (index: number): void => {
    const target = targets[index]!;
    tried.add(index);
    const track: RequestTrack = {
      calls: 0,
      claimed: false,
      // Rule "next" (or a jump): retrying here only delays the next target, unless none is left.
      mayRetry: (error) => {
        const action = rules[classifyFailure(error)];
        return action === "retry-then-next" || action === "stop" || !otherTargetsLeft();
      },
    };
    const link = hedgeWanted ? linkController(ctx.signal) : undefined;
    const launch: Launch = { target, track, link, reportedCalls: 1 };
    const launchCtx = withTrack(link ? { ...ctx, signal: link.controller.signal } : ctx, track);
    launches.push(launch);
    let outcome: Promise<T>;
    try {
      outcome = run.call(target, launchCtx);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    inFlight.set(
      launch,
      outcome.then(
        (value): Settled<T> => ({ launch, ok: true, value }),
        (error: unknown): Settled<T> => ({ launch, ok: false, error: toKeelError(error) }),
      ),
    );
  };

  try {
    if (!ctx.signal.aborted) start(0);
    if (hedgeWanted) hedge = delay(run.hedgeAfterMs!);
    while (inFlight.size > 0) {
      const racers: Array<Promise<Settled<T> | typeof HEDGE | typeof ABORTED>> = [
        ...inFlight.values(),
        aborted.promise,
      ];
      if (hedge && inFlight.size === 1 && pickNext() !== undefined) racers.push(hedge.promise);
      const settled = await Promise.race(racers);
      if (settled === ABORTED) break;
      if (settled === HEDGE) {
        hedge = undefined;
        const index = pickNext()!;
        ctx.events.emit({ type: "hedge-sent", target: targets[index]!.name });
        start(index);
        continue;
      }
      inFlight.delete(settled.launch);
      if (settled.ok) {
        winner = settled.launch;
        return {
          value: settled.value,
          launch: winner,
          failed,
          attempts: (reported) => countAttempts(launches, winner!, reported),
        };
      }
      const { error, launch } = settled;
      launch.reportedCalls = typeof error.details.attempts === "number" ? error.details.attempts : 1;
      failed.push({ target: launch.target.name, code: error.code, message: error.message });
      errors.push(error);
      launch.link?.dispose();
      if (ctx.signal.aborted) break;
      const action = rules[classifyFailure(error)];
      if (action === "stop") {
        stopError = error;
        break;
      }
      if (typeof action === "object") {
        const jump = targets.findIndex((target) => target.name === action.target);
        if (!tried.has(jump)) cursor = jump;
      }
      if (inFlight.size > 0) continue; // a hedge is still running: its answer may yet win
      const next = pickNext();
      if (next === undefined) break;
      ctx.events.emit({ type: "fallback", from: launch.target.name, to: targets[next]!.name, code: error.code });
      start(next);
    }
  } finally {
    aborted.dispose();
    if (hedge) clearTimeout(hedge.timer);
    for (const [launch, outcome] of inFlight) {
      launch.link?.controller.abort(new DOMException("another target answered first", "AbortError"));
      launch.link?.dispose();
      void outcome.then((settled) => settled.ok && run.discard(settled.value));
    }
  }
  throw finalError({ ctx, stopError, errors, failed, attempts: countAttempts(launches, undefined, 0) });
}

function delay(ms: number): { promise: Promise<typeof HEDGE>; timer: NodeJS.Timeout } {
  let timer!: NodeJS.Timeout;
  const promise = new Promise<typeof HEDGE>((resolve) => {
    timer = setTimeout(() => resolve(HEDGE), ms);
  });
  return { promise, timer };
}
