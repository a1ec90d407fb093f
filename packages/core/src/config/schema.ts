import { z } from "zod";
import { cachePolicySchema, cacheSchema } from "./cache-schema.ts";
import { embeddingBatchSchema, jobsSchema } from "./jobs-schema.ts";
import { redisSchema } from "./redis-schema.ts";
import {
  authSchema,
  governanceSchema,
  labelSetSchema,
  optimisationSchema,
  selectionSchema,
  tenantSchema,
} from "./governance-schema.ts";
import { fallbackRulesSchema, hedgingSchema, targetPolicySchema } from "./resilience-schema.ts";
import { safetyPolicySchema, safetySchema } from "./safety-schema.ts";
import { adminSchema, graphqlTransportSchema, httpLimitsSchema, trpcTransportSchema } from "./services-schema.ts";
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
  /**
   * Deferrable jobs may use this provider's Batch API (/v1/files + /v1/batches). Default: on for
   * OpenAI (no baseURL, or api.openai.com) and the simulator, off for other servers.
   */
  batchApi: z.boolean().optional(),
  /** Largest non-streamed upstream body read (default 16 MiB); past it: UPSTREAM_UNAVAILABLE. */
  maxBodyBytes: z.number().int().positive().optional(),
  /** Largest single SSE event of a streamed answer (default 1 MiB). */
  maxEventBytes: z.number().int().positive().optional(),
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
  /** Choose the cheapest fitting target by rules (prompt size, tools, schema, task) instead of always `targets`. */
  selection: selectionSchema.optional(),
  /** Opt-in prompt transforms (whitespace, duplicates, history) and a maxPromptTokens guard. */
  optimisation: optimisationSchema.optional(),
  /** Overrides safety.defaults for this route, detector by detector and field by field. */
  safety: safetyPolicySchema.optional(),
});

const priceSchema = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
  /** Answers from the provider's batch API; default half the standard prices. */
  batchInputPerMillion: z.number().nonnegative().optional(),
  batchOutputPerMillion: z.number().nonnegative().optional(),
});

const servicesSchema = z.strictObject({
  host: z.string().default("127.0.0.1"),
  trpcPort: z.number().int().min(0).max(65535).default(3000),
  graphqlPort: z.number().int().min(0).max(65535).default(4000),
  /** The OpenAI-compatible REST service (`/v1/chat/completions`, `/v1/embeddings`, `/v1/models`). */
  openaiPort: z.number().int().min(0).max(65535).default(8080),
  simulatorPort: z.number().int().min(0).max(65535).default(4100),
  /** apps/worker's operational listener (/healthz, /readyz, /metrics). */
  workerPort: z.number().int().min(0).max(65535).default(4200),
  shutdownGraceMs: z.number().int().nonnegative().default(10_000),
  maxBodyBytes: z.number().int().positive().default(1_048_576),
  /** Connection limits, timeouts, Host and Origin allow-lists (services-schema.ts). */
  http: httpLimitsSchema.prefault({}),
  /** Where /readyz and /metrics are served and what they need. */
  admin: adminSchema.prefault({}),
  trpc: trpcTransportSchema.prefault({}),
  /** Document limits and introspection. */
  graphql: graphqlTransportSchema.prefault({}),
  /** Processes per service (node:cluster, one port); more than 1 needs Redis for shared state. KEEL_WORKERS. */
  workers: z.number().int().min(1).max(256).default(1),
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
  /** Context windows (prompt plus completion tokens) by model name, over the built-in table; model selection reads them. */
  contextWindows: z.record(z.string(), z.number().int().positive()).default({}),
  /** Per-target overrides of defaults.policy, keyed "provider/model"; merged section by section. */
  targetPolicies: z.record(z.string(), targetPolicySchema).default({}),
  defaults: defaultsSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  validation: validationSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  telemetry: telemetrySchema.prefault({}),
  /** Background jobs, batches, webhooks and deferrable calls. */
  jobs: jobsSchema.prefault({}),
  /** Combining concurrent embedding requests into one upstream call. */
  embeddingBatch: embeddingBatchSchema.prefault({}),
  /** Who may call: API keys (in Redis, else a file under dataDir), the auth mode, the bootstrap admin key. */
  auth: authSchema.prefault({}),
  /** Per-tenant limits, budgets and allowed models, shared by all of a tenant's keys. */
  tenants: z.record(z.string().min(1).max(128), tenantSchema).default({}),
  /** How limits and budgets behave: fail mode when Redis is down, budget alert thresholds. */
  governance: governanceSchema.prefault({}),
  /** Named label sets for `classify`. */
  labelSets: z.record(z.string().min(1), labelSetSchema).default({}),
  /** Where state without Redis is kept (the API key file): relative to the working directory. */
  dataDir: z.string().min(1).default(".keel"),
  /** Input and output guardrails, their policies, knowledge bases and the review queue. */
  safety: safetySchema.prefault({}),
  /** Shared state (cache, usage ledger) in Redis or a Redis Cluster instead of process memory. */
  redis: redisSchema.optional(),
});

export type KeelConfig = z.infer<typeof configSchema>;
export type KeelConfigInput = z.input<typeof configSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
