import { randomUUID } from "node:crypto";
import { open, stat, unlink } from "node:fs/promises";
import { KeelError } from "@keel/spec";

export interface FileLockOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** A lock file older than this was left by a crashed process and is broken. */
  staleMs: number;
}

// Writers in this process queue here first, so they never spin on each other's lock file.
const queues = new Map<string, Promise<void>>();

/**
 * Runs `work` holding the lock of `path`: in-process callers queue on a promise, other
 * processes (an operator's CLI next to a running service) are kept out by an exclusive
 * lock file `<path>.lock`.
 */
export async function withFileLock<T>(path: string, options: FileLockOptions, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  let done: () => void = () => {};
  const mine = new Promise<void>((resolve) => {
    done = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(path, tail);
  await previous;
  try {
    const release = await acquireLockFile(`${path}.lock`, options);
    try {
      return await work();
    } finally {
      await release();
    }
  } finally {
    done();
    if (queues.get(path) === tail) queues.delete(path);
  }
}

async function acquireLockFile(lockPath: string, options: FileLockOptions): Promise<() => Promise<void>> {
  const owner = randomUUID();
  const until = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      await handle.writeFile(`${process.pid} ${owner}\n`);
      await handle.close();
      return () => unlink(lockPath).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    await breakIfStale(lockPath, options.staleMs);
    if (Date.now() > until) {
      throw new KeelError("INTERNAL", "the API key file stayed locked", { details: { reason: "key-file-locked" } });
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
  }
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  try {
    const info = await stat(lockPath);
    if (Date.now() - info.mtimeMs > staleMs) await unlink(lockPath);
  } catch {
    // Gone already: the next attempt takes it.
  }
}
