import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { trackedSubscription } from "./tracked-subscription.ts";

type Event = { type: "tick"; n: number } | { type: "error"; code: string };

/** A source that yields `count` ticks, then waits (silently) until its signal aborts. */
function source(count: number, seen: { signal?: AbortSignal }) {
  return async function* (signal: AbortSignal): AsyncGenerator<Event> {
    seen.signal = signal;
    for (let n = 1; n <= count; n += 1) yield { type: "tick", n };
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  };
}

function tracker() {
  const registered: Array<(error: KeelError) => void> = [];
  let untracked = 0;
  return {
    track: (close: (error: KeelError) => void) => {
      registered.push(close);
      return () => {
        untracked += 1;
      };
    },
    close: (error: KeelError) => {
      for (const close of registered) close(error);
    },
    untracked: () => untracked,
  };
}

describe("trackedSubscription", () => {
  it("relays the source's events and ends it when the subscriber leaves, even while it is silent", async () => {
    const seen: { signal?: AbortSignal } = {};
    const host = tracker();
    const subscription = trackedSubscription({ open: source(2, seen), track: host.track });
    expect(await subscription.next()).toEqual({ value: { type: "tick", n: 1 }, done: false });
    expect(await subscription.next()).toEqual({ value: { type: "tick", n: 2 }, done: false });
    const pending = subscription.next();
    await subscription.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(seen.signal?.aborted).toBe(true);
    expect(host.untracked()).toBe(1);
  });

  it("ends with the final event on shutdown, then completes", async () => {
    const seen: { signal?: AbortSignal } = {};
    const host = tracker();
    const subscription = trackedSubscription<Event>({
      open: source(0, seen),
      track: host.track,
      finalEvent: (error) => ({ type: "error", code: error.code }),
    });
    const pending = subscription.next();
    host.close(new KeelError("UPSTREAM_UNAVAILABLE", "shutting down"));
    expect(await pending).toEqual({ value: { type: "error", code: "UPSTREAM_UNAVAILABLE" }, done: false });
    expect(await subscription.next()).toEqual({ value: undefined, done: true });
    expect(seen.signal?.aborted).toBe(true);
  });

  it("follows the caller's signal", async () => {
    const seen: { signal?: AbortSignal } = {};
    const caller = new AbortController();
    const subscription = trackedSubscription({
      open: source(0, seen),
      track: tracker().track,
      callerSignal: caller.signal,
    });
    const pending = subscription.next();
    caller.abort();
    await Promise.resolve();
    expect(seen.signal?.aborted).toBe(true);
    await subscription.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it("turns a failing source into the final event", async () => {
    const subscription = trackedSubscription<Event>({
      // biome-ignore lint/correctness/useYield: a source that fails before its first event
      open: async function* () {
        throw new KeelError("UPSTREAM_UNAVAILABLE", "the queue is unavailable");
      },
      track: tracker().track,
      finalEvent: (error) => ({ type: "error", code: error.code }),
    });
    expect(await subscription.next()).toEqual({ value: { type: "error", code: "UPSTREAM_UNAVAILABLE" }, done: false });
    expect(await subscription.next()).toEqual({ value: undefined, done: true });
  });
});
