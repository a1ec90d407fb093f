/** Options shared by the rules compared against a baseline. */
export interface BaselineRuleOptions {
  /** The recent window judged. Default 5 minutes. */
  windowMs?: number;
  /** The trailing baseline before that window. Default 1 hour. */
  baselineMs?: number;
  /** Fires when the window's value exceeds the baseline's times this. */
  factor?: number;
  /** The condition must hold this long before the alert fires. Default 0. */
  forMs?: number;
  /** The condition must stay clear this long before the alert resolves. Default 60 s. */
  resolveAfterMs?: number;
  /** Hysteresis: clear means below threshold x this. Default 0.8. */
  resolveRatio?: number;
}

export interface ErrorRateRuleOptions extends BaselineRuleOptions {
  /** Never fires under this error rate, whatever the baseline. Default 0.05. */
  minRate?: number;
  /** Requests the window needs before it is judged. Default 20. */
  minRequests?: number;
}

export interface LatencyRuleOptions extends BaselineRuleOptions {
  /** Never fires while p95 is under this. Default 250 ms. */
  minP95Ms?: number;
  /** Fires above this p95 even without a baseline. Default: none. */
  maxP95Ms?: number;
  minRequests?: number;
}

export interface CostRuleOptions extends BaselineRuleOptions {
  /** Never fires while the window's spend is under this. Default 0.01 USD. */
  minUsd?: number;
  /** Fires above this spend rate even without a baseline. Default: none. */
  maxUsdPerHour?: number;
}

export interface AvailabilityRuleOptions {
  /** An open breaker or failing probe must last this long before the alert fires. Default 0. */
  forMs?: number;
  /** A closed breaker or passing probe must last this long before the alert resolves. Default 0. */
  resolveAfterMs?: number;
}

export interface WebhookOptions {
  url: string;
  headers?: Record<string, string>;
  /** Tries per notification, the first included. Default 4. */
  maxAttempts?: number;
  /** First retry delay, doubled each time (with jitter). Default 500 ms. */
  backoffMs?: number;
  /** Per POST. Default 5000 ms. */
  timeoutMs?: number;
  /** Notifications waiting for delivery; past this the oldest is dropped. Default 100. */
  maxQueue?: number;
}

export interface AlertOptions {
  errorRate?: ErrorRateRuleOptions | false;
  latency?: LatencyRuleOptions | false;
  cost?: CostRuleOptions | false;
  availability?: AvailabilityRuleOptions | false;
  /** Budget thresholds (budget-threshold events) as alerts; false turns them off. Default on. */
  budget?: false;
  webhook?: WebhookOptions;
  /** Width of the alert windows' buckets. Default 10 s. */
  bucketMs?: number;
  /** How often rules run on a timer; 0 = only when `evaluateAlerts()` is called. Default 10 s. */
  evaluateEveryMs?: number;
}

export type AlertRule = "error-rate" | "latency-p95" | "cost-anomaly" | "provider-availability" | "budget";

export interface AlertState {
  rule: AlertRule;
  /** Unique per alert: the rule, plus the target for availability. */
  key: string;
  status: "firing" | "resolved";
  /** ISO time the alert fired. */
  since: string;
  /** ISO time it resolved, when it has. */
  resolvedAt?: string;
  target?: string;
  /** For budget alerts: whose budget. A tenant's snapshot shows only its own. */
  tenant?: string;
  /** The measured value when it fired (rate, ms, USD per hour, or 1 for availability). */
  value: number;
  threshold: number;
  message: string;
}

/** What a webhook receives, as JSON. */
export interface AlertNotification {
  version: 1;
  service: string;
  status: "firing" | "resolved";
  alert: AlertState;
}
