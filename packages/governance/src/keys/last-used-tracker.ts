/**
 * Decides when a key's lastUsedAt is worth writing (at most once per period per key in
 * this process) and runs the write after the current request's critical section
 * (setImmediate), never awaited by it. `drain()` waits for writes in flight (close, tests).
 */
export class LastUsedTracker {
  private readonly writtenAt = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: { everyMs: number; maxKeys: number }) {}

  touch(id: string, now: number, write: () => Promise<void>): void {
    const last = this.writtenAt.get(id);
    if (last !== undefined && now - last < this.options.everyMs) return;
    this.writtenAt.delete(id);
    this.writtenAt.set(id, now);
    if (this.writtenAt.size > this.options.maxKeys) {
      const oldest = this.writtenAt.keys().next().value;
      if (oldest !== undefined) this.writtenAt.delete(oldest);
    }
    const done = new Promise<void>((resolve) => {
      setImmediate(() => {
        // A failed write was reported by `write` itself; here it only ends the wait.
        void write().then(resolve, resolve);
      });
    });
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
