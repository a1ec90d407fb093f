import type { KeelEvent } from "@keel/spec";
import type { AlertState } from "./types.ts";

type BudgetThreshold = Extract<KeelEvent, { type: "budget-threshold" }>;

/**
 * Budget thresholds as alerts: a `budget-threshold` event (80 and 100 % by default, once
 * per scope and period across every instance) fires an alert that stays active until its
 * period ends (the UTC day or month), then resolves. Each alert carries its tenant, so a
 * tenant's own snapshot shows its alerts and never another tenant's.
 */
export class BudgetAlerts {
  private readonly firing = new Map<string, { state: AlertState; endsAtMs: number }>();

  /** The alert the event raises, or undefined when it is already firing. */
  fire(event: BudgetThreshold, nowMs: number): AlertState | undefined {
    const who =
      event.scope === "key" ? `key ${event.keyId ?? "?"} of tenant "${event.tenant}"` : `tenant "${event.tenant}"`;
    const key = `budget:${event.tenant}:${event.scope}:${event.keyId ?? ""}:${event.period}:${event.periodLabel}:${event.percent}`;
    if (this.firing.has(key)) return undefined;
    const usd = (microUsd: number) => (microUsd / 1_000_000).toFixed(2);
    const state: AlertState = {
      rule: "budget",
      key,
      status: "firing",
      since: new Date(nowMs).toISOString(),
      tenant: event.tenant,
      value: event.spentMicroUsd / Math.max(1, event.limitMicroUsd),
      threshold: event.percent / 100,
      message: `${who} reached ${event.percent}% of its ${event.period === "day" ? "daily" : "monthly"} budget (${usd(event.spentMicroUsd)} of ${usd(event.limitMicroUsd)} USD, ${event.periodLabel})`,
    };
    this.firing.set(key, { state, endsAtMs: periodEndMs(event.period, event.periodLabel) });
    return { ...state };
  }

  /** Alerts whose period has ended, resolved (and forgotten). */
  expire(nowMs: number): AlertState[] {
    const resolved: AlertState[] = [];
    for (const [key, entry] of this.firing) {
      if (nowMs < entry.endsAtMs) continue;
      this.firing.delete(key);
      resolved.push({ ...entry.state, status: "resolved", resolvedAt: new Date(nowMs).toISOString() });
    }
    return resolved;
  }

  active(): AlertState[] {
    return [...this.firing.values()].map((entry) => ({ ...entry.state }));
  }
}

/** The end of a UTC day ("2025-01-31") or month ("2025-01"). */
function periodEndMs(period: "day" | "month", label: string): number {
  const [year, month, day] = label.split("-").map(Number) as [number, number, number?];
  return period === "day" ? Date.UTC(year, month - 1, (day ?? 1) + 1) : Date.UTC(year, month, 1);
}
