import type { KeelEvent } from "@keel/spec";
import { Aggregate, Ring, type Sample } from "../snapshot/ring.ts";
import { costVerdict, errorRateVerdict, latencyVerdict, type RuleInput, type Verdict } from "./rules.ts";
import { BudgetAlerts } from "./budget-alerts.ts";
import { AlertTracker } from "./tracker.ts";
import type { AlertOptions, AlertRule, AlertState, BaselineRuleOptions } from "./types.ts";

export interface AlertManagerOptions {
  alerts: AlertOptions;
  now: () => number;
  /** Called on every fire and resolve, once each. */
  onTransition: (state: AlertState) => void;
}

interface BaselineRule {
  rule: Exclude<AlertRule, "provider-availability">;
  options: BaselineRuleOptions;
  judge: (input: RuleInput) => Verdict;
  tracker: AlertTracker;
  describe: (verdict: Verdict, windowMs: number) => string;
}

interface TargetHealth {
  breaker: "closed" | "open" | "half-open";
  probeFailing: boolean;
  tracker: AlertTracker;
}

/** A baseline rule as configured: its options (false turns it off), how to judge it and how to describe a breach. */
interface RuleDefinition<T extends BaselineRuleOptions> {
  rule: BaselineRule["rule"];
  options: T | false | undefined;
  judge: (input: RuleInput, options: T) => Verdict;
  describe: BaselineRule["describe"];
}

const MINUTE = 60_000;

/** Evaluates the in-process alert rules over their own sliding windows and reports each fire and resolve once. */
const MAX_RESOLVED = 50;

export class AlertManager {
  private readonly ring: Ring;
  private readonly rules: BaselineRule[] = [];
  private readonly targets = new Map<string, TargetHealth>();
  private readonly firing = new Map<string, AlertState>();
  /** The last resolved alerts, newest first, for the snapshot (operators see what fired and when it ended). */
  private readonly resolved: AlertState[] = [];
  private readonly window = new Aggregate();
  private readonly baseline = new Aggregate();
  private firstSampleMs: number | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly budgets = new BudgetAlerts();

  constructor(private readonly options: AlertManagerOptions) {
    const alerts = options.alerts;
    const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
    this.addRule({
      rule: "error-rate",
      options: alerts.errorRate,
      judge: (input, rule) => errorRateVerdict(input, rule),
      describe: (verdict, windowMs) =>
        `error rate ${percent(verdict.value)} over the last ${windowMs / 1000}s, above ${percent(verdict.threshold)}`,
    });
    this.addRule({
      rule: "latency-p95",
      options: alerts.latency,
      judge: (input, rule) => latencyVerdict(input, rule),
      describe: (verdict, windowMs) =>
        `p95 latency ${verdict.value} ms over the last ${windowMs / 1000}s, above ${verdict.threshold.toFixed(0)} ms`,
    });
    this.addRule({
      rule: "cost-anomaly",
      options: alerts.cost,
      judge: (input, rule) => costVerdict(input, rule),
      describe: (verdict, windowMs) =>
        `spend rate ${verdict.value.toFixed(4)} USD/h over the last ${windowMs / 1000}s, above ${verdict.threshold.toFixed(4)} USD/h`,
    });
    const bucketMs = alerts.bucketMs ?? 10_000;
    const span = Math.max(
      MINUTE,
      ...this.rules.map((rule) => (rule.options.windowMs ?? 5 * MINUTE) + (rule.options.baselineMs ?? 60 * MINUTE)),
    );
    this.ring = new Ring(bucketMs, Math.ceil(span / bucketMs) + 2);
    const every = alerts.evaluateEveryMs ?? 10_000;
    if (every > 0) {
      this.timer = setInterval(() => this.evaluate(), every);
      this.timer.unref();
    }
  }

  private addRule<T extends BaselineRuleOptions>({ rule, options, judge, describe }: RuleDefinition<T>): void {
    if (options === false) return;
    const resolved = (options ?? {}) as T;
    this.rules.push({
      rule,
      options: resolved,
      judge: (input) => judge(input, resolved),
      tracker: new AlertTracker(resolved.forMs ?? 0, resolved.resolveAfterMs ?? MINUTE),
      describe,
    });
  }

  add(nowMs: number, sample: Sample): void {
    this.firstSampleMs ??= nowMs;
    this.ring.add(nowMs, sample);
  }

  onEvent(event: KeelEvent): void {
    if (event.type === "budget-threshold") {
      if (this.options.alerts.budget === false) return;
      const fired = this.budgets.fire(event, this.options.now());
      if (fired) this.options.onTransition(fired);
      return;
    }
    if (this.options.alerts.availability === false) return;
    if (event.type === "circuit-open") this.health(event.target).breaker = "open";
    else if (event.type === "circuit-half-open") this.health(event.target).breaker = "half-open";
    else if (event.type === "circuit-close") this.health(event.target).breaker = "closed";
    else if (event.type === "health-probe") this.health(event.target).probeFailing = !event.ok;
    else return;
    this.evaluateTarget(event.target, this.options.now());
  }

  evaluate(): void {
    const nowMs = this.options.now();
    for (const rule of this.rules) {
      const windowMs = rule.options.windowMs ?? 5 * MINUTE;
      const baselineMs = rule.options.baselineMs ?? 60 * MINUTE;
      this.window.reset();
      this.baseline.reset();
      this.ring.sum({ nowMs, spanMs: windowMs }, this.window);
      this.ring.sum({ nowMs, spanMs: baselineMs, endOffsetMs: windowMs }, this.baseline);
      const covered =
        this.firstSampleMs === undefined ? 0 : Math.min(baselineMs, Math.max(0, nowMs - windowMs - this.firstSampleMs));
      const verdict = rule.judge({
        window: this.window,
        baseline: this.baseline,
        windowMs,
        baselineCoveredMs: covered,
      });
      this.apply({
        rule: rule.rule,
        key: rule.rule,
        tracker: rule.tracker,
        verdict,
        message: () => rule.describe(verdict, windowMs),
        nowMs,
      });
    }
    for (const target of this.targets.keys()) this.evaluateTarget(target, nowMs);
    for (const resolved of this.budgets.expire(nowMs)) this.options.onTransition(resolved);
  }

  recentlyResolved(): AlertState[] {
    return this.resolved.map((state) => ({ ...state }));
  }

  active(): AlertState[] {
    return [...[...this.firing.values()].map((state) => ({ ...state })), ...this.budgets.active()];
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private health(target: string): TargetHealth {
    let health = this.targets.get(target);
    if (health === undefined) {
      const options = this.options.alerts.availability || {};
      health = {
        breaker: "closed",
        probeFailing: false,
        tracker: new AlertTracker(options.forMs ?? 0, options.resolveAfterMs ?? 0),
      };
      this.targets.set(target, health);
    }
    return health;
  }

  private evaluateTarget(target: string, nowMs: number): void {
    const health = this.targets.get(target);
    if (health === undefined) return;
    const breached = health.breaker === "open" || health.probeFailing;
    const clear = health.breaker === "closed" && !health.probeFailing;
    const verdict: Verdict = { value: breached ? 1 : 0, threshold: 1, breached, clear };
    const why = health.breaker === "open" ? "circuit breaker open" : "health probe failing";
    this.apply({
      rule: "provider-availability",
      key: `provider-availability:${target}`,
      target,
      tracker: health.tracker,
      verdict,
      message: () => `${target} unavailable: ${why}`,
      nowMs,
    });
  }

  private apply(input: {
    rule: AlertRule;
    key: string;
    target?: string;
    tracker: AlertTracker;
    verdict: Verdict;
    message: () => string;
    nowMs: number;
  }): void {
    const transition = input.tracker.update(input.nowMs, input.verdict.breached, input.verdict.clear);
    if (transition === "fired") {
      const state: AlertState = {
        rule: input.rule,
        key: input.key,
        status: "firing",
        since: new Date(input.nowMs).toISOString(),
        value: input.verdict.value,
        threshold: input.verdict.threshold,
        message: input.message(),
      };
      if (input.target !== undefined) state.target = input.target;
      this.firing.set(input.key, state);
      this.options.onTransition({ ...state });
    } else if (transition === "resolved") {
      const state = this.firing.get(input.key);
      this.firing.delete(input.key);
      if (state === undefined) return;
      const resolved: AlertState = { ...state, status: "resolved", resolvedAt: new Date(input.nowMs).toISOString() };
      this.resolved.unshift(resolved);
      if (this.resolved.length > MAX_RESOLVED) this.resolved.pop();
      this.options.onTransition({ ...resolved });
    }
  }
}
