import type { RateLease } from "./rate-limit-types.ts";

export interface LeaseBackend {
  /** Tokens reserved at admission. */
  reservedTokens: number;
  /** True when a concurrency slot is held (release has something to free, heartbeats run). */
  holdsSlot: boolean;
  /** Applies a token difference and/or frees the slot, in one step. */
  settle(change: { deltaTokens: number; release: boolean }): Promise<void>;
  /** Renews the slot's expiry. */
  renew(): Promise<void>;
  /** Renew every this many ms while held. */
  renewEveryMs: number;
  /** A failed background step; the request is never affected. */
  onError(operation: string, error: unknown): void;
  /** Heartbeats of leases still held, so close() can stop them. */
  registry: Set<() => void>;
}

/** A lease shared by both limiters: reconcile once, release once, heartbeat while a slot is held. */
export function createLease(backend: LeaseBackend): RateLease {
  let reconciled = false;
  let released = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    backend.registry.delete(stop);
  };
  if (backend.holdsSlot) {
    timer = setInterval(() => {
      backend.renew().catch((error: unknown) => backend.onError("lease-renew", error));
    }, backend.renewEveryMs);
    timer.unref();
    backend.registry.add(stop);
  }
  const settle = async (change: { deltaTokens: number; release: boolean }, operation: string) => {
    try {
      await backend.settle(change);
    } catch (error) {
      backend.onError(operation, error);
    }
  };
  return {
    async reconcile(actualTokens) {
      if (reconciled || !Number.isFinite(actualTokens) || actualTokens < 0) return;
      reconciled = true;
      const deltaTokens = Math.round(actualTokens) - backend.reservedTokens;
      if (deltaTokens !== 0) await settle({ deltaTokens, release: false }, "reconcile");
    },
    async release(usage = {}) {
      if (released) return;
      released = true;
      stop();
      let deltaTokens = 0;
      const actual = usage.actualTokens;
      if (actual !== undefined && !reconciled && Number.isFinite(actual) && actual >= 0) {
        reconciled = true;
        deltaTokens = Math.round(actual) - backend.reservedTokens;
      }
      if (deltaTokens !== 0 || backend.holdsSlot) await settle({ deltaTokens, release: backend.holdsSlot }, "release");
    },
  };
}

/** The lease of an admission that counted nothing (no limits, or a fail-open limiter). */
export const NOOP_LEASE: RateLease = {
  async reconcile() {},
  async release() {},
};
