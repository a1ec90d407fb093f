import { Counter, type Registry } from "prom-client";
import type { KeelEvent } from "@keel/spec";
import type { LabelLimiter } from "./label-limiter.ts";

/** keel_* metric names of identity, limits, budgets, model selection and prompt optimisation. */
export const GOVERNANCE_METRIC = {
  apiKeyRejections: "keel_api_key_rejections_total",
  apiKeyStaleServed: "keel_api_key_stale_served_total",
  rateLimited: "keel_rate_limited_total",
  governanceUnavailable: "keel_governance_unavailable_total",
  governanceStoreErrors: "keel_governance_store_errors_total",
  budgetExceeded: "keel_budget_exceeded_total",
  budgetThresholds: "keel_budget_thresholds_total",
  modelSelections: "keel_model_selections_total",
  modelEscalations: "keel_model_escalations_total",
  promptTokensSaved: "keel_prompt_tokens_saved_total",
} as const;

/**
 * Counters fed by governance events: refused keys by reason, refusals by scope and kind,
 * fail-open admissions while Redis is down, budget refusals and thresholds, selections
 * per route and rule, escalations, and prompt tokens saved per transform. Labels never
 * hold a tenant, key id or request id; routes and targets are capped like models.
 */
export class GovernanceMetrics {
  private readonly rejections: Counter;
  private readonly staleServed: Counter;
  private readonly rateLimited: Counter;
  private readonly unavailable: Counter;
  private readonly storeErrors: Counter;
  private readonly budgetExceeded: Counter;
  private readonly budgetThresholds: Counter;
  private readonly selections: Counter;
  private readonly escalations: Counter;
  private readonly tokensSaved: Counter;

  constructor(
    registry: Registry,
    private readonly limits: { model: LabelLimiter; target: LabelLimiter },
  ) {
    const registers = [registry];
    const counter = (name: string, help: string, labelNames: string[]) =>
      new Counter({ name, help, labelNames, registers });
    this.rejections = counter(GOVERNANCE_METRIC.apiKeyRejections, "API keys refused, by reason.", ["reason"]);
    this.staleServed = counter(
      GOVERNANCE_METRIC.apiKeyStaleServed,
      "Keys verified from a recently read record while the key store could not be read.",
      [],
    );
    this.rateLimited = counter(GOVERNANCE_METRIC.rateLimited, "Requests refused by a rate limit, by scope and kind.", [
      "scope",
      "kind",
    ]);
    this.unavailable = counter(
      GOVERNANCE_METRIC.governanceUnavailable,
      "Limit or budget checks Redis did not answer, by part and what the request got (fail_mode open: admitted).",
      ["part", "fail_mode"],
    );
    this.storeErrors = counter(
      GOVERNANCE_METRIC.governanceStoreErrors,
      "Background governance writes that failed (lastUsedAt, lease renewals, settlements).",
      ["operation"],
    );
    this.budgetExceeded = counter(
      GOVERNANCE_METRIC.budgetExceeded,
      "Requests refused because their maximum cost would cross a budget, by scope and period.",
      ["scope", "period"],
    );
    this.budgetThresholds = counter(
      GOVERNANCE_METRIC.budgetThresholds,
      "Budget thresholds crossed (alerts raised), by scope, period and percent.",
      ["scope", "period", "percent"],
    );
    this.selections = counter(
      GOVERNANCE_METRIC.modelSelections,
      "Targets chosen by routes' selection rules, by route, rule and target.",
      ["route", "rule", "target"],
    );
    this.escalations = counter(
      GOVERNANCE_METRIC.modelEscalations,
      "Requests retried once on a stronger target after a failed answer, by route and reason.",
      ["route", "reason"],
    );
    this.tokensSaved = counter(
      GOVERNANCE_METRIC.promptTokensSaved,
      "Prompt tokens removed by routes' prompt transforms, by route and transform.",
      ["route", "transform"],
    );
  }

  onEvent(event: KeelEvent): void {
    switch (event.type) {
      case "api-key-rejected":
        this.rejections.inc({ reason: event.reason });
        break;
      case "api-key-stale-served":
        this.staleServed.inc();
        break;
      case "rate-limited":
        this.rateLimited.inc({ scope: event.scope, kind: event.kind });
        break;
      case "governance-unavailable":
        this.unavailable.inc({ part: event.part, fail_mode: event.failMode });
        break;
      case "governance-store-error":
        this.storeErrors.inc({ operation: event.operation });
        break;
      case "budget-exceeded":
        this.budgetExceeded.inc({ scope: event.scope, period: event.period });
        break;
      case "budget-threshold":
        this.budgetThresholds.inc({ scope: event.scope, period: event.period, percent: String(event.percent) });
        break;
      case "model-selected":
        this.selections.inc({
          route: this.limits.model.value(event.route),
          rule: event.rule,
          target: this.limits.target.value(event.target),
        });
        break;
      case "model-escalated":
        this.escalations.inc({ route: this.limits.model.value(event.route), reason: event.reason });
        break;
      case "prompt-optimised":
        for (const { transform, tokensSaved } of event.transforms) {
          if (tokensSaved > 0)
            this.tokensSaved.inc({ route: this.limits.model.value(event.route), transform }, tokensSaved);
        }
        break;
      default:
        break;
    }
  }
}
