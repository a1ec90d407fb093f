import type { Socket } from "node:net";
import type { SimulatorStats } from "./types.ts";

/** Live counters behind `stats()` and `GET /_sim/stats`. */
export class StatsRecorder {
  private calls = new Map<string, number>();
  totalCalls = 0;
  openConnections = 0;
  inFlight = 0;
  clientAborts = 0;
  /** Sockets with a /v1 request in progress: the idle-socket timeout leaves them alone. */
  readonly busySockets = new Set<Socket>();

  recordModel(model: string): void {
    this.calls.set(model, (this.calls.get(model) ?? 0) + 1);
  }

  /**
   * Back to zero, except what describes the present: sockets that are open and
   * requests still being answered stay counted, so their closing cannot go negative.
   */
  reset(): void {
    this.calls = new Map();
    this.totalCalls = 0;
    this.clientAborts = 0;
  }

  snapshot(): SimulatorStats {
    return {
      calls: Object.fromEntries(this.calls),
      totalCalls: this.totalCalls,
      openConnections: this.openConnections,
      inFlight: this.inFlight,
      clientAborts: this.clientAborts,
    };
  }
}
