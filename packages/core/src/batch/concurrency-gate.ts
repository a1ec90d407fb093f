import { KeelError, onceAborted } from "@keel/spec";

/** At most `limit` holders at once; the rest wait in arrival order. A waiter whose signal aborts leaves the line. */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  /** Resolves with the release function once a slot is free. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const admit = () => {
        unhook();
        this.active += 1;
        resolve(this.releaser());
      };
      this.waiting.push(admit);
      // Not aborted yet (checked above), so this never runs at once.
      const unhook = onceAborted(signal, () => {
        const position = this.waiting.indexOf(admit);
        if (position !== -1) this.waiting.splice(position, 1);
        reject(abortReason(signal));
      });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.waiting.shift()?.();
    };
  }
}

/** One gate per tenant (created on demand, dropped when idle): a tenant's batch items in flight across its batches. */
export class TenantGates {
  private readonly gates = new Map<string, ConcurrencyGate>();

  constructor(private readonly limit: number) {}

  async acquire(tenant: string, signal: AbortSignal): Promise<() => void> {
    let gate = this.gates.get(tenant);
    if (gate === undefined) {
      gate = new ConcurrencyGate(this.limit);
      this.gates.set(tenant, gate);
    }
    const held = gate;
    try {
      const release = await held.acquire(signal);
      return () => {
        release();
        if (held.idle && this.gates.get(tenant) === held) this.gates.delete(tenant);
      };
    } catch (error) {
      if (held.idle && this.gates.get(tenant) === held) this.gates.delete(tenant);
      throw error;
    }
  }
}

function abortReason(signal: AbortSignal): KeelError {
  const reason: unknown = signal.reason;
  return KeelError.isInstance(reason)
    ? reason
    : new KeelError("UPSTREAM_TIMEOUT", "the batch was stopped", { retryable: false, details: { reason: "aborted" } });
}
