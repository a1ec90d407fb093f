import type { ProviderBatchApi, SubmittedBatch } from "@keel/providers";
import { KeelError, onceAborted, type ChatRequest, type Generation, type RequestContext } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import type { ProviderRegistry } from "../pipeline/provider-registry.ts";

/**
 * Deferrable calls (ctx.deferrable, set for deferrable jobs) answered through the provider's
 * Batch API at its lower price. Calls to one target are grouped for `jobs.deferrable.windowMs`
 * (or until `maxGroupSize`), submitted as one batch, and polled every `pollIntervalMs` until it
 * ends; each call then gets its own line's envelope (priced at the batch tier).
 *
 * The batch is a price optimisation, never a new way to fail: when it cannot answer a call (the
 * submission fails, the batch fails or expires, the call's line errored, the batch is gone), the
 * call goes the normal way, through its route's fallback chain, at the normal price. A call
 * whose signal aborts (the job's timeout or cancel) leaves at once; a batch nobody waits for any
 * more is cancelled upstream.
 */
export interface DeferredBatcher {
  /** True when the route's first target's provider has its batch API on. */
  handles(route: string): boolean;
  generate(request: ChatRequest, ctx: RequestContext, live: () => Promise<Generation>): Promise<Generation>;
  /** Stops the timers; calls still waiting fail with a retryable UPSTREAM_UNAVAILABLE (shutting-down). */
  close(): void;
}

interface Waiter {
  customId: string;
  request: ChatRequest;
  ctx: RequestContext;
  live: () => Promise<Generation>;
  resolve(generation: Generation): void;
  reject(error: unknown): void;
  done: boolean;
  unhook(): void;
}

interface Group {
  target: string;
  api: ProviderBatchApi;
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

export function createDeferredBatcher(options: { config: KeelConfig; providers: ProviderRegistry }): DeferredBatcher {
  const { config, providers } = options;
  const settings = config.jobs.deferrable;
  const open = new Map<string, Group>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Waiter>();
  let nextId = 0;
  let closed = false;

  const later = (delayMs: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, delayMs);
    timers.add(timer);
    return timer;
  };

  const finish = (waiter: Waiter, outcome: { generation: Generation } | { error: unknown }) => {
    if (waiter.done) return;
    waiter.done = true;
    waiter.unhook();
    running.delete(waiter);
    if ("generation" in outcome) waiter.resolve(outcome.generation);
    else waiter.reject(outcome.error);
  };
  /** The normal way: the route's fallback chain, at the normal price. */
  const goLive = (waiter: Waiter) => {
    if (waiter.done) return;
    waiter.done = true;
    waiter.unhook();
    running.delete(waiter);
    waiter.live().then(waiter.resolve, waiter.reject);
  };

  const submit = async (group: Group) => {
    if (open.get(group.target) === group) open.delete(group.target);
    const waiters = group.waiters.filter((waiter) => !waiter.done);
    if (waiters.length === 0) return;
    let submitted: SubmittedBatch;
    const submittedAt = performance.now();
    try {
      submitted = await group.api.submitBatch({
        lines: waiters.map((waiter) => ({ customId: waiter.customId, request: waiter.request })),
        metadata: { source: "keel-deferred" },
      });
    } catch {
      for (const waiter of waiters) goLive(waiter);
      return;
    }
    for (const waiter of waiters) waiter.ctx.events.emit({ type: "upstream-request", target: group.target });
    const lines = waiters.map((waiter) => ({ customId: waiter.customId, request: waiter.request }));
    const poll = async () => {
      if (closed) return;
      const waiting = waiters.filter((waiter) => !waiter.done);
      if (waiting.length === 0) {
        group.api.cancelBatch(submitted).catch(() => undefined);
        return;
      }
      let outcome: Awaited<ReturnType<ProviderBatchApi["pollBatch"]>>;
      try {
        outcome = await group.api.pollBatch({ ...submitted, lines });
      } catch (error) {
        // A passing failure to read the batch: read again later; a lasting one: the normal way.
        if (KeelError.isInstance(error) && error.retryable) later(settings.pollIntervalMs, () => void poll());
        else for (const waiter of waiting) goLive(waiter);
        return;
      }
      if (outcome.state === "running") {
        later(settings.pollIntervalMs, () => void poll());
        return;
      }
      const durationMs = performance.now() - submittedAt;
      for (const waiter of waiting) {
        const line = outcome.lines.get(waiter.customId);
        if (line?.ok) {
          waiter.ctx.events.emit({
            type: "upstream-response",
            target: group.target,
            durationMs,
            usage: line.generation.usage,
          });
          finish(waiter, { generation: line.generation });
        } else {
          const code = line?.error.code ?? "UPSTREAM_UNAVAILABLE";
          waiter.ctx.events.emit({ type: "upstream-error", target: group.target, durationMs, code });
          goLive(waiter);
        }
      }
    };
    later(settings.pollIntervalMs, () => void poll());
  };

  return {
    handles(route) {
      if (!Object.hasOwn(config.models, route)) return false;
      const first = config.models[route]?.targets[0];
      return first !== undefined && providers.batchApi(first) !== undefined;
    },

    generate(request, ctx, live) {
      // The admitted route's name (the request's model unless a middleware rewrote it).
      const route = ctx.route?.name ?? request.model;
      const target = Object.hasOwn(config.models, route) ? config.models[route]?.targets[0] : undefined;
      const batch = target === undefined ? undefined : providers.batchApi(target);
      if (target === undefined || batch === undefined || closed) return live();
      if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
      let group = open.get(target);
      if (group === undefined) {
        const created: Group = { target, api: batch.api, waiters: [], timer: undefined };
        created.timer = later(settings.windowMs, () => void submit(created));
        open.set(target, created);
        group = created;
      }
      const joined = group;
      return new Promise<Generation>((resolve, reject) => {
        nextId += 1;
        const waiter: Waiter = {
          customId: `keel-${nextId}`,
          request: { ...request, model: batch.model },
          ctx,
          live,
          resolve,
          reject,
          done: false,
          unhook: () => {},
        };
        // The job's timeout or cancel (or the deadline) ends the wait at once.
        waiter.unhook = onceAborted(ctx.signal, (reason) => finish(waiter, { error: reason }));
        running.add(waiter);
        joined.waiters.push(waiter);
        if (joined.waiters.length >= settings.maxGroupSize) {
          if (joined.timer) clearTimeout(joined.timer);
          void submit(joined);
        }
      });
    },

    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      open.clear();
      const shuttingDown = new KeelError("UPSTREAM_UNAVAILABLE", "the pipeline is shutting down", {
        retryable: true,
        details: { reason: "shutting-down" },
      });
      for (const waiter of [...running]) finish(waiter, { error: shuttingDown });
    },
  };
}
