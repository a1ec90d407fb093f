import { KeelError, type Generation, type KeelErrorBody, type RequestContext } from "@keel/spec";
import type { CacheStore, StoreLock } from "./store.ts";
import { sleep, waitFor } from "./wait.ts";

export interface CoalesceOptions {
  /** How long a cross-instance leader holds its lock; past it another instance may call. Default 30,000 ms. */
  lockTtlMs?: number;
  /** How often a waiting instance looks for the leader's entry. Default 50 ms. */
  pollMs?: number;
}

/** Rejection of followers whose leader's own caller went away: they try again, not fail. */
class LeaderGone extends Error {}

export interface Flight {
  resolve(generation: Generation): void;
  reject(error: unknown): void;
  /** The leader stopped without an answer or an error of its own: followers try again. */
  abandon(): void;
}

export interface CoalesceRun {
  key: string;
  ctx: RequestContext;
  /** Calls upstream and stores the answer. */
  lead: () => Promise<Generation>;
  /** Reads a fresh entry another instance stored (for cross-instance followers). */
  readFresh: () => Promise<Generation | undefined>;
}

/**
 * One upstream call per key at a time: in this process through a map of in-flight
 * promises, across instances through a short store lock (SET NX PX) and polling for the
 * leader's entry. Followers wait within their own deadline and get the leader's answer
 * or its error; a leader whose caller went away hands over to a follower.
 */
export function createCoalescer(
  store: CacheStore,
  options: CoalesceOptions | false | undefined,
  onStoreError: (operation: string, error: unknown, ctx: RequestContext) => void,
) {
  const flights = new Map<string, Promise<Generation>>();
  // A memory store is per process: the in-process map already covers it.
  const crossInstance = options !== false && store.kind !== "memory";
  const tuning: CoalesceOptions = options || {};
  const lockTtlMs = tuning.lockTtlMs || 30_000;
  const pollMs = tuning.pollMs || 50;

  const begin = (key: string, ctx: RequestContext): Flight => {
    let settle: { resolve(generation: Generation): void; reject(error: unknown): void } | undefined;
    const promise = new Promise<Generation>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => {});
    flights.set(key, promise);
    const release = () => {
      if (flights.get(key) === promise) flights.delete(key);
    };
    return {
      resolve(generation) {
        release();
        settle?.resolve(generation);
      },
      reject(error) {
        release();
        settle?.reject(ctx.signal.aborted ? new LeaderGone() : error);
      },
      abandon() {
        release();
        settle?.reject(new LeaderGone());
      },
    };
  };

  const leadAcrossInstances = async (run: CoalesceRun): Promise<{ generation: Generation; leader: boolean }> => {
    const lockKey = `lock:${run.key}`;
    const errorKey = `error:${run.key}`;
    for (;;) {
      let lock: StoreLock | undefined;
      try {
        lock = await store.tryLock(lockKey, lockTtlMs);
      } catch (error) {
        onStoreError("lock", error, run.ctx);
        return { generation: await run.lead(), leader: true };
      }
      if (lock) {
        try {
          // Double-check under the lock: another instance may have finished and stored the
          // answer between this caller's cache lookup and its taking the lock.
          const stored = await run.readFresh();
          if (stored) return { generation: stored, leader: false };
          return { generation: await run.lead(), leader: true };
        } catch (error) {
          if (KeelError.isInstance(error) && !run.ctx.signal.aborted) {
            await store
              .set(errorKey, JSON.stringify({ token: lock.token, error: error.toJSON() }), { ttlMs: lockTtlMs })
              .catch(() => {});
          }
          throw error;
        } finally {
          await lock.release().catch(() => {});
        }
      }
      const holder = await store.get(lockKey).catch(() => undefined);
      for (;;) {
        await sleep(pollMs, run.ctx);
        const generation = await run.readFresh();
        if (generation) return { generation, leader: false };
        const failure = await store.get(errorKey).catch(() => undefined);
        const parsed = parseFailure(failure);
        if (parsed && parsed.token === holder) {
          throw new KeelError(parsed.error.code, parsed.error.message, {
            retryable: parsed.error.retryable,
            details: parsed.error.details,
          });
        }
        // The lock changed hands or was gone already: try to take it (or find the entry) again.
        if (holder === undefined || (await store.get(lockKey).catch(() => undefined)) !== holder) break;
      }
    }
  };

  return {
    /** The in-process flight for a key, if one is running. */
    inFlight: (key: string) => flights.get(key),
    begin,
    isLeaderGone: (error: unknown) => error instanceof LeaderGone,
    /** Runs `lead` once per key across waiting callers; `leader` is false for those who waited. */
    async run(run: CoalesceRun): Promise<{ generation: Generation; leader: boolean }> {
      for (;;) {
        const existing = flights.get(run.key);
        if (existing !== undefined) {
          try {
            return { generation: await waitFor(existing, run.ctx), leader: false };
          } catch (error) {
            if (error instanceof LeaderGone) continue;
            throw error;
          }
        }
        const flight = begin(run.key, run.ctx);
        try {
          const outcome = crossInstance
            ? await leadAcrossInstances(run)
            : { generation: await run.lead(), leader: true };
          flight.resolve(outcome.generation);
          return outcome;
        } catch (error) {
          flight.reject(error);
          throw error;
        }
      }
    },
  };
}

export type Coalescer = ReturnType<typeof createCoalescer>;

function parseFailure(text: string | undefined): { token: string; error: KeelErrorBody } | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as { token: string; error: KeelErrorBody };
  } catch {
    return undefined;
  }
}
