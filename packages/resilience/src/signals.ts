import { onceAborted } from "@keel/spec";

/** Sleeps, or rejects with `onAbort()` the moment the signal aborts. */
export function sleep(ms: number, signal: AbortSignal, onAbort: () => unknown): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unhook();
      resolve();
    }, ms);
    const unhook = onceAborted(signal, () => {
      clearTimeout(timer);
      reject(onAbort());
    });
  });
}

/** Closes an iterator without waiting: a hung upstream must not hold the caller. */
export function closeQuietly(iterator: AsyncIterator<unknown>): void {
  try {
    const closing = iterator.return?.();
    if (closing !== undefined) closing.catch(noop);
  } catch {
    // An iterator that throws on return() is already finished as far as we care.
  }
}

export function noop(): void {}

export const ABORTED = Symbol("aborted");

/** A promise that resolves when the signal aborts, so a target that ignores its signal cannot hold the chain. */
export function onAbort(signal: AbortSignal): { promise: Promise<typeof ABORTED>; dispose(): void } {
  let dispose = noop;
  const promise = new Promise<typeof ABORTED>((resolve) => {
    dispose = onceAborted(signal, () => resolve(ABORTED));
  });
  return { promise, dispose };
}
