import {
  linkSignal,
  toKeelError,
  type ChatRequest,
  type FallbackFailure,
  type KeelError,
  type LinkedSignal,
  type RequestContext,
} from "@keel/spec";
import { finalError } from "./chain-outcome.ts";
import type { FallbackRules } from "./fallback-rules.ts";
import { ABORTED, onAbort } from "./signals.ts";
import type { TargetCallOptions } from "./target-model.ts";
import { TargetOrder, type ChainTarget } from "./target-order.ts";

export interface ChainRun<T> {
  targets: readonly ChainTarget[];
  rules: Required<FallbackRules>;
  hedgeAfterMs: number | undefined;
  request: ChatRequest;
  ctx: RequestContext;
  call(target: ChainTarget, ctx: RequestContext, options: TargetCallOptions): Promise<T>;
  /** A hedge loser that answered after all: release what it holds. */
  discard(value: T): void;
}

/** One call of one target for one request. */
export interface Launch {
  target: ChainTarget;
  /** Only when hedging: lets the chain cancel this call alone. */
  link: LinkedSignal | undefined;
  /** The upstream calls it reported when it failed (details.attempts); undefined while it runs. */
  attempts: number | undefined;
}

export interface ChainWin<T> {
  value: T;
  launch: Launch;
  failed: FallbackFailure[];
  /** Upstream calls of every other launch: the targets that failed and a hedge that lost. */
  otherAttempts: number;
}

type Settled<T> = { launch: Launch; ok: true; value: T } | { launch: Launch; ok: false; error: KeelError };
/** How one step of the chain ended: an answer, every launch failed (fall back), or the chain ends here. */
type Step<T> = { won: Settled<T> & { ok: true } } | { failed: Settled<T> & { ok: false } } | { end: true };

const HEDGE = Symbol("hedge");

/**
 * Tries the targets in order: each step runs one target (and, for an idempotent request,
 * at most one hedge: when it has not answered within hedgeAfterMs the next target starts
 * too, and the first good answer wins) until it answers or fails; then the rules decide
 * whether and where to fall back. Never outlives ctx.signal. When every target fails it
 * throws the most meaningful failure with details.fallback (every failed target) and
 * details.attempts.
 */
export async function runChain<T>(run: ChainRun<T>): Promise<ChainWin<T>> {
  return new ChainRunner(run).run();
}

class ChainRunner<T> {
  private readonly order: TargetOrder;
  private readonly failed: FallbackFailure[] = [];
  private readonly errors: KeelError[] = [];
  private readonly launches: Launch[] = [];
  private readonly pending = new Map<Launch, Promise<Settled<T>>>();
  private readonly hedgeWanted: boolean;
  private hedge: { promise: Promise<typeof HEDGE>; timer: NodeJS.Timeout } | undefined;
  private stopError: KeelError | undefined;

  constructor(private readonly chain: ChainRun<T>) {
    this.order = new TargetOrder(chain.targets, chain.rules);
    this.hedgeWanted =
      chain.hedgeAfterMs !== undefined && chain.request.idempotent === true && chain.targets.length > 1;
  }

  async run(): Promise<ChainWin<T>> {
    const { ctx } = this.chain;
    const aborted = onAbort(ctx.signal);
    try {
      let target = ctx.signal.aborted ? undefined : this.order.take();
      if (target && this.hedgeWanted) this.hedge = delay(this.chain.hedgeAfterMs ?? 0);
      while (target) {
        const step = await this.step(target, aborted.promise);
        if ("won" in step) {
          const { launch, value } = step.won;
          return { value, launch, failed: this.failed, otherAttempts: await this.endOthers(launch) };
        }
        if ("end" in step) break;
        target = this.order.take();
        if (!target) break;
        const { launch, error } = step.failed;
        ctx.events.emit({ type: "fallback", from: launch.target.name, to: target.name, code: error.code });
      }
    } finally {
      aborted.dispose();
      if (this.hedge) clearTimeout(this.hedge.timer);
    }
    const { stopError, errors, failed } = this;
    throw finalError({ ctx, stopError, errors, failed, attempts: await this.endOthers(undefined) });
  }

  /** Runs `target` (and maybe a hedge) until one answers, every launch failed, or the chain must end. */
  private async step(target: ChainTarget, aborted: Promise<typeof ABORTED>): Promise<Step<T>> {
    const { ctx } = this.chain;
    this.launch(target);
    for (;;) {
      const racers: Array<Promise<Settled<T> | typeof HEDGE | typeof ABORTED>> = [...this.pending.values(), aborted];
      if (this.hedge && this.pending.size === 1 && this.order.hasNext()) racers.push(this.hedge.promise);
      const settled = await Promise.race(racers);
      if (settled === ABORTED) return { end: true };
      if (settled === HEDGE) {
        this.hedge = undefined;
        const hedge = this.order.take() as ChainTarget;
        ctx.events.emit({ type: "hedge-sent", target: hedge.name });
        this.launch(hedge);
        continue;
      }
      this.pending.delete(settled.launch);
      if (settled.ok) return { won: settled };
      const { launch, error } = settled;
      this.failed.push({ target: launch.target.name, code: error.code, message: error.message });
      this.errors.push(error);
      launch.link?.dispose();
      if (ctx.signal.aborted) return { end: true };
      if (!this.order.shouldFallBack(error)) {
        this.stopError = error;
        return { end: true };
      }
      if (this.pending.size === 0) return { failed: settled };
      // A hedge is still running: its answer may yet win.
    }
  }

  private launch(target: ChainTarget): void {
    const { ctx } = this.chain;
    const link = this.hedgeWanted ? linkSignal(ctx.signal) : undefined;
    const launch: Launch = { target, link, attempts: undefined };
    const options: TargetCallOptions = { mayRetry: (error) => this.order.mayRetry(error) };
    this.launches.push(launch);
    let outcome: Promise<T>;
    try {
      outcome = this.chain.call(target, link ? { ...ctx, signal: link.signal } : ctx, options);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    this.pending.set(
      launch,
      outcome.then(
        (value): Settled<T> => ({ launch, ok: true, value }),
        (thrown: unknown): Settled<T> => {
          const error = toKeelError(thrown);
          launch.attempts = typeof error.details.attempts === "number" ? error.details.attempts : 1;
          return { launch, ok: false, error };
        },
      ),
    );
  }

  /**
   * Aborts the launches still running (a hedge that lost, or what the caller's abort
   * ended), lets them report within this turn, and sums the upstream calls of every launch
   * but the winner: a launch that did not report counts one call.
   */
  private async endOthers(winner: Launch | undefined): Promise<number> {
    if (this.pending.size > 0) {
      const running = [...this.pending];
      this.pending.clear();
      const reason = new DOMException(winner ? "another target answered first" : "the chain has ended", "AbortError");
      for (const [launch, outcome] of running) {
        launch.link?.abort(reason);
        launch.link?.dispose();
        void outcome.then((settled) => settled.ok && this.chain.discard(settled.value));
      }
      await settledWithinTurn(running.map(([, outcome]) => outcome));
    }
    let total = 0;
    for (const launch of this.launches) if (launch !== winner) total += launch.attempts ?? 1;
    return total;
  }
}

/** Waits for the promises, but no longer than the current turn of the event loop (what settles on an abort does). */
async function settledWithinTurn(promises: Array<Promise<unknown>>): Promise<void> {
  let immediate: NodeJS.Immediate | undefined;
  const turn = new Promise<void>((resolve) => {
    immediate = setImmediate(resolve);
  });
  await Promise.race([Promise.all(promises), turn]);
  clearImmediate(immediate);
}

function delay(ms: number): { promise: Promise<typeof HEDGE>; timer: NodeJS.Timeout } {
  let timer!: NodeJS.Timeout;
  const promise = new Promise<typeof HEDGE>((resolve) => {
    timer = setTimeout(() => resolve(HEDGE), ms);
  });
  return { promise, timer };
}
