export type Transition = "fired" | "resolved" | undefined;

/**
 * One alert's state machine, with `for` before firing and hysteresis before resolving,
 * so a value hovering around its threshold notifies once, not on every evaluation.
 */
export class AlertTracker {
  private status: "ok" | "pending" | "firing" | "resolving" = "ok";
  private since = 0;

  constructor(
    private readonly forMs: number,
    private readonly resolveAfterMs: number,
  ) {}

  get firing(): boolean {
    return this.status === "firing" || this.status === "resolving";
  }

  /** `breached`: over the threshold now. `clear`: under the lower (hysteresis) threshold now. */
  update(nowMs: number, breached: boolean, clear: boolean): Transition {
    switch (this.status) {
      case "ok":
        if (!breached) return undefined;
        this.status = "pending";
        this.since = nowMs;
        return this.update(nowMs, breached, clear);
      case "pending":
        if (!breached) {
          this.status = "ok";
          return undefined;
        }
        if (nowMs - this.since < this.forMs) return undefined;
        this.status = "firing";
        return "fired";
      case "firing":
        if (!clear) return undefined;
        this.status = "resolving";
        this.since = nowMs;
        return this.update(nowMs, breached, clear);
      case "resolving":
        if (!clear) {
          this.status = "firing";
          return undefined;
        }
        if (nowMs - this.since < this.resolveAfterMs) return undefined;
        this.status = "ok";
        return "resolved";
    }
  }
}
