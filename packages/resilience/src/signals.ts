/** Sleeps, or rejects with `onAbort()` the moment the signal aborts. */
export function sleep(ms: number, signal: AbortSignal, onAbort: () => unknown): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const listener = (): void => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", listener);
      resolve();
    }, ms);
    signal.addEventListener("abort", listener, { once: true });
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
  if (signal.aborted) return { promise: Promise.resolve(ABORTED), dispose: noop };
  let listener = noop;
  const promise = new Promise<typeof ABORTED>((resolve) => {
    listener = () => resolve(ABORTED);
    signal.addEventListener("abort", listener, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener("abort", listener) };
}
