import type {
  BudgetLimits,
  PromptOptimisationOptions,
  RateLimits,
  SelectionConditions,
  SelectionRule,
} from "@keel/governance";
import { z } from "zod";

/**
 * Config shapes of identity and spending: `auth`, `tenants`, `governance`, and the
 * routes' `selection` and `optimisation` sections. @keel/governance's option types are
 * the source; the checks at the end tie each schema to its type.
 */

const count = z.number().int().positive();
/** "provider/model", as routes' targets. */
const target = z.string().regex(/^[^/\s]+\/\S+$/, 'expected "provider/model"');

export const rateLimitsSchema = z.strictObject({
  requestsPerMinute: count.optional(),
  /** Estimated prompt tokens plus maxTokens, reserved before the call and reconciled after it. */
  tokensPerMinute: count.optional(),
  /** Requests in flight at once. */
  concurrency: count.optional(),
});

export const budgetLimitsSchema = z.strictObject({
  /** USD per UTC day. */
  dailyUsd: z.number().positive().optional(),
  /** USD per UTC month. */
  monthlyUsd: z.number().positive().optional(),
});

/** Route (model) names a tenant or key may call; "*" allows all. */
const allowedModelsSchema = z.array(z.string().min(1)).min(1);

export const tenantSchema = z.strictObject({
  /** Shared by every key of the tenant (each key's own limits apply as well). */
  limits: rateLimitsSchema.optional(),
  budget: budgetLimitsSchema.optional(),
  allowedModels: allowedModelsSchema.optional(),
});

export const authSchema = z.strictObject({
  /**
   * auto: on once any API key exists (or KEEL_BOOTSTRAP_ADMIN_KEY is set), else open on
   * loopback as tenant "default"; keys: always on; none: never on, even on a public address.
   */
  mode: z.enum(["auto", "keys", "none"]).default("auto"),
  /** Set by the loader from KEEL_BOOTSTRAP_ADMIN_KEY: an admin key created or refreshed at every start. */
  bootstrapAdminKey: z.string().optional(),
  /** The tenant of the bootstrap admin key. */
  bootstrapTenant: z.string().min(1).max(128).default("default"),
  /** A verified key's record answers this long without another store read: revocation reaches every instance within it. */
  verifyCacheMs: z.number().int().nonnegative().default(2_000),
});

export const governanceSchema = z.strictObject({
  /** When Redis does not answer: "open" admits and counts a metric, "closed" refuses (UPSTREAM_UNAVAILABLE). */
  failMode: z.enum(["open", "closed"]).default("open"),
  /** Percentages of a budget that raise an alert, once per scope and period. */
  budgetAlertsPercent: z.array(z.number().positive().max(1_000)).min(1).default([80, 100]),
  /** Completion tokens reserved (limits, budgets, context fit) for a request that sets no maxTokens. */
  defaultCompletionTokens: count.default(1_024),
});

const selectionConditionsSchema = z.strictObject({
  minPromptTokens: z.number().int().nonnegative().optional(),
  maxPromptTokens: z.number().int().nonnegative().optional(),
  hasTools: z.boolean().optional(),
  hasResponseSchema: z.boolean().optional(),
  /** The caller's `task` tag is one of these. */
  tasks: z.array(z.string().min(1)).min(1).optional(),
});

const selectionRuleSchema = z.strictObject({
  /** Reported in the envelope (`selection.rule`) and counted in metrics. */
  name: z.string().min(1),
  when: selectionConditionsSchema.optional(),
  /** The cheapest of these whose context window fits the request is chosen. */
  targets: z.array(target).min(1),
  /** This rule's stronger target for one retry after a validation failure (else the route's). */
  escalation: target.optional(),
});

/**
 * A route's model selection: rules in order, the first that applies chooses the cheapest
 * of its targets that fits; when none applies, the cheapest of the route's own targets
 * that fits (rule "default").
 */
export const selectionSchema = z.strictObject({
  rules: z.array(selectionRuleSchema).default([]),
  /** The route's stronger target for one retry when a structured answer fails validation. */
  escalation: target.optional(),
});

/** A route's opt-in prompt transforms and its prompt-size guard. */
export const optimisationSchema = z.strictObject({
  dropDuplicateMessages: z.boolean().optional(),
  compactWhitespace: z.boolean().optional(),
  collapseRepeatedLines: z
    .union([z.boolean(), z.strictObject({ minRepeats: z.number().int().min(2).optional() })])
    .optional(),
  trimHistory: z.strictObject({ maxTokens: count, keepRecentTurns: count.optional() }).optional(),
  /** Still above this after the transforms: BAD_REQUEST before any upstream call. */
  maxPromptTokens: count.optional(),
});

/** A named label set for `classify`: examples per label, embedded (and cached) on first use. */
export const labelSetSchema = z.strictObject({
  /** The embedding model used when a request names none. */
  model: z.string().min(1).optional(),
  labels: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)),
  method: z.enum(["centroid", "knn"]).optional(),
  k: count.optional(),
});

type Same<A, B> = (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;
type Describes<Schema extends z.ZodType, Options> = Same<z.output<Schema>, Options>;
type Holds<Check extends true> = Check;

/**
 * Compiles only while each schema yields exactly the type it stands for: an option added,
 * removed or retyped in @keel/governance without this file following fails the typecheck.
 */
export type SchemasFollowGovernance = Holds<
  | Describes<typeof rateLimitsSchema, RateLimits>
  | Describes<typeof budgetLimitsSchema, BudgetLimits>
  | Describes<typeof selectionConditionsSchema, SelectionConditions>
  | Describes<typeof selectionRuleSchema, SelectionRule>
  | Describes<typeof optimisationSchema, PromptOptimisationOptions>
>;
