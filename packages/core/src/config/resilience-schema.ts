import type { FallbackChainOptions, FallbackRules, TargetPolicy } from "@keel/resilience";
import { z } from "zod";

/**
 * Config shapes of @keel/resilience's options. The package's types are the source (and its
 * defaults live there); the check at the end ties each schema to its type.
 */

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10).optional(),
  baseDelayMs: z.number().nonnegative().optional(),
  maxDelayMs: z.number().nonnegative().optional(),
  maxRetryAfterMs: z.number().nonnegative().optional(),
  budget: z
    .union([
      z.literal(false),
      z.strictObject({
        ratio: z.number().min(0).max(1),
        windowMs: z.number().int().positive(),
        minPerWindow: z.number().int().nonnegative(),
      }),
    ])
    .optional(),
});

const breakerSchema = z.strictObject({
  errorThresholdPercentage: z.number().min(1).max(100).optional(),
  volumeThreshold: z.number().int().min(1).optional(),
  resetTimeoutMs: z.number().int().positive().optional(),
  rollingWindowMs: z.number().int().positive().optional(),
});

export const targetPolicySchema = z.strictObject({
  retry: z.union([z.literal(false), retrySchema]).optional(),
  breaker: z.union([z.literal(false), breakerSchema]).optional(),
  timeout: z
    .strictObject({
      attemptMs: z.number().int().positive().optional(),
      firstTokenMs: z.number().int().positive().optional(),
      idleMs: z.number().int().positive().optional(),
    })
    .optional(),
  concurrency: z
    .union([
      z.literal(false),
      z.strictObject({
        maxConcurrent: z.number().int().positive(),
        maxQueue: z.number().int().nonnegative(),
        queueTimeoutMs: z.number().int().positive().optional(),
      }),
    ])
    .optional(),
  stream: z.strictObject({ bufferDeltas: z.number().int().min(1).max(64).optional() }).optional(),
});

const fallbackActionSchema = z.union([
  z.enum(["retry-then-next", "next", "stop"]),
  z.strictObject({ target: z.string() }),
]);

export const fallbackRulesSchema = z.strictObject({
  rateLimited: fallbackActionSchema.optional(),
  timeout: fallbackActionSchema.optional(),
  unavailable: fallbackActionSchema.optional(),
  circuitOpen: fallbackActionSchema.optional(),
  contextLength: fallbackActionSchema.optional(),
  contentPolicy: fallbackActionSchema.optional(),
  badRequest: fallbackActionSchema.optional(),
  unauthorized: fallbackActionSchema.optional(),
  other: fallbackActionSchema.optional(),
});

export const hedgingSchema = z.union([z.literal(false), z.strictObject({ afterMs: z.number().int().nonnegative() })]);

type Same<A, B> = (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;
type Describes<Schema extends z.ZodType, Options> = Same<z.output<Schema>, Options>;
type Holds<Check extends true> = Check;

/**
 * Compiles only while each schema yields exactly the type it stands for: an option added,
 * removed or retyped in @keel/resilience without this file following fails the typecheck
 * (`satisfies z.ZodType<TargetPolicy>` alone would not notice a missing option).
 */
export type SchemasFollowResilience = Holds<
  | Describes<typeof targetPolicySchema, TargetPolicy>
  | Describes<typeof fallbackRulesSchema, FallbackRules>
  | Describes<typeof hedgingSchema, NonNullable<FallbackChainOptions["hedging"]>>
>;
