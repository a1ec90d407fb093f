import { z } from "zod";
import { cachePolicySchema, cacheSchema } from "./cache-schema.ts";
import { fallbackRulesSchema, hedgingSchema, targetPolicySchema } from "./resilience-schema.ts";
import { safetyPolicySchema, safetySchema } from "./safety-schema.ts";
import { telemetrySchema } from "./telemetry-schema.ts";

/**
 * Keel's configuration, validated in one place. Every section has defaults so that an
 * empty file is a working config; `loadConfig` fills providers and routes from the
 * environment when the file names none.
 */

const providerSchema = z.strictObject({
  type: z.literal("openai").default("openai"),
  baseURL: z.url().optional(),
  apiKey: z.string().min(1),
  organization: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** "provider/model": the upstream model of a named provider. */
const targetSchema = z.string().regex(/^[^/\s]+\/\S+$/, 'expected "provider/model"');

const routeSchema = z.strictObject({
  /** Ordered fallback chain: the first target is tried first. */
  targets: z.array(targetSchema).min(1),
  /** Total deadline for a request on this route, retries and fallbacks included. */
  timeoutMs: z.number().int().positive().optional(),
  /** A canned answer served (marked static) when every target fails and no stale entry exists. */
  staticFallback: z.string().optional(),
  /** What to do per class of failure; overrides defaults.fallbackRules field by field. */
  fallbackRules: fallbackRulesSchema.optional(),
  /** For idempotent requests: also start the next target when the first is slower than afterMs. */
  hedging: hedgingSchema.optional(),
  /** Overrides cache.defaults for this route, field by field. */
  cache: cachePolicySchema.optional(),
  /** Overrides safety.defaults for this route, detector by detector and field by field. */
  safety: safetyPolicySchema.optional(),
});

const priceSchema = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
});

const servicesSchema = z.strictObject({
  host: z.string().default("127.0.0.1"),
  trpcPort: z.number().int().min(0).max(65535).default(3000),
  graphqlPort: z.number().int().min(0).max(65535).default(4000),
  /** The OpenAI-compatible REST service (`/v1/chat/completions`, `/v1/embeddings`, `/v1/models`). */
  openaiPort: z.number().int().min(0).max(65535).default(8080),
  simulatorPort: z.number().int().min(0).max(65535).default(4100),
  shutdownGraceMs: z.number().int().nonnegative().default(10_000),
  maxBodyBytes: z.number().int().positive().default(1_048_576),
});

const limitsSchema = z.strictObject({
  /** Largest prompt (all message contents together) accepted, in characters. */
  maxPromptChars: z.number().int().positive().default(400_000),
  maxMessages: z.number().int().positive().default(500),
});

const defaultsSchema = z.strictObject({
  timeoutMs: z.number().int().positive().default(30_000),
  /** The per-target policy (retry, breaker, timeouts, concurrency) every target gets. */
  policy: targetPolicySchema.default({}),
  fallbackRules: fallbackRulesSchema.optional(),
  hedging: hedgingSchema.default(false),
});

const validationSchema = z.strictObject({
  /** Upstream attempts for a structured call that does not say, the first included. */
  defaultMaxAttempts: z.number().int().min(1).max(10).default(3),
  /** Most attempts a caller may ask for. */
  maxAttemptsLimit: z.number().int().min(1).max(10).default(5),
  maxSchemaBytes: z.number().int().positive().default(65_536),
  maxSchemaDepth: z.number().int().positive().default(32),
  /** Routes whose models honour response_format json_schema; default: decided from the model name. */
  jsonSchemaRoutes: z.array(z.string()).optional(),
});

export const configSchema = z.strictObject({
  services: servicesSchema.prefault({}),
  providers: z
    .record(z.string().regex(/^[^/\s]+$/, "provider names cannot contain '/' or spaces"), providerSchema)
    .default({}),
  models: z.record(z.string().min(1), routeSchema).default({}),
  /** Embedding models callers may ask for, mapped to "provider/model". */
  embeddingModels: z.record(z.string().min(1), targetSchema).default({}),
  prices: z.record(z.string(), priceSchema).default({}),
  /** Per-target overrides of defaults.policy, keyed "provider/model"; merged section by section. */
  targetPolicies: z.record(z.string(), targetPolicySchema).default({}),
  defaults: defaultsSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  validation: validationSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  telemetry: telemetrySchema.prefault({}),
  /** Input and output guardrails, their policies, knowledge bases and the review queue. */
  safety: safetySchema.prefault({}),
  /** Shared state (cache, usage ledger) in Redis instead of process memory. */
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL"),
      keyPrefix: z.string().default("keel:"),
      /** A cache command slower than this counts as a miss (the cache fails open). */
      commandTimeoutMs: z.number().int().positive().default(250),
      /** The start stops when Redis does not answer (default); false starts anyway and fails open. */
      required: z.boolean().default(true),
    })
    .optional(),
});

export type KeelConfig = z.infer<typeof configSchema>;
export type KeelConfigInput = z.input<typeof configSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
