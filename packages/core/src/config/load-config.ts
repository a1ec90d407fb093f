import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { parseApiKey } from "@keel/governance";
import { httpOrigin } from "../net/url-host.ts";
import { referenceIssues } from "./check-references.ts";
import { ConfigError } from "./config-error.ts";
import { configIssuesOf } from "./config-issues.ts";
import { configSchema, type KeelConfig } from "./schema.ts";

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The YAML parser (~70 files, ~2.6 MB RSS) loads only when a YAML config file is read: the
 * embedded default and JSON files never need it. `require` (yaml is CommonJS) keeps
 * loadConfig synchronous.
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return yaml.parse(text);
}

/** Model routes the embedded default offers, each answered by the same-named upstream model. */
const DEFAULT_CHAT_MODELS = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1", "o4-mini"];
const DEFAULT_EMBEDDING_MODELS = ["text-embedding-3-small", "text-embedding-3-large"];
/** The embedded default falls back from the small model to a sibling, so failover works out of the box. */
const DEFAULT_FALLBACKS: Record<string, string[]> = { "gpt-4o-mini": ["gpt-4.1-mini"], "gpt-4o": ["gpt-4.1"] };
/**
 * The key sent when OPENAI_BASE_URL is set without OPENAI_API_KEY: local servers (Ollama,
 * vLLM, llama.cpp) take any key, and the openai SDK refuses to start without one.
 */
export const PLACEHOLDER_API_KEY = "no-key";

/** Which environment variable sets each listening port, so a busy port's message can say what to change. */
export const PORT_VARIABLES = {
  trpc: "KEEL_TRPC_PORT",
  graphql: "KEEL_GRAPHQL_PORT",
  openai: "KEEL_OPENAI_PORT",
  simulator: "KEEL_SIMULATOR_PORT",
  worker: "KEEL_WORKER_PORT",
} as const;

/**
 * Validates a plain object (from a file, a test, or code) into a full config: every field
 * (unknown and misspelt keys included) and what fields say about each other (targets
 * name configured providers, rule jumps stay in their chain). Throws ConfigError naming
 * `source` and every bad field.
 */
export function parseConfig(input: unknown, source = "the config object"): KeelConfig {
  const config = parseShape(input, source);
  checkReferences(config, source);
  return config;
}

/**
 * Reads the config the way a service starts: the KEEL_CONFIG file (YAML or JSON) if set,
 * overlaid with environment variables; with no settings at all, the embedded default
 * (the local simulator). OPENAI_API_KEY and/or OPENAI_BASE_URL switch the default
 * provider to an OpenAI-compatible endpoint.
 */
export function loadConfig(env: Environment): KeelConfig {
  const file = env.KEEL_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const source = file ?? "the environment";
  const config = withDefaultRoutes(parseShape(applyEnvironment(fromFile, env), source), env);
  checkReferences(config, source);
  if (file) relativeToFile(config, file);
  return config;
}

/** Knowledge-base folders in a config file are relative to the file, wherever the process runs. */
function relativeToFile(config: KeelConfig, file: string): void {
  const bases = config.safety.knowledgeBases;
  for (const [name, folder] of Object.entries(bases))
    if (!isAbsolute(folder)) bases[name] = resolve(dirname(resolve(file)), folder);
}

function parseShape(input: unknown, source: string): KeelConfig {
  const result = configSchema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(source, configIssuesOf(result.error, configSchema));
  return result.data;
}

function checkReferences(config: KeelConfig, source: string): void {
  const issues = referenceIssues(config);
  if (issues.length > 0) throw new ConfigError(source, issues);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, [{ path: "(file)", message: `cannot read the file: ${(error as Error).message}` }]);
  }
  try {
    const parsed: unknown = extname(path) === ".json" ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error("expected a mapping at the top level");
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(path, [{ path: "(file)", message: `cannot parse: ${(error as Error).message}` }]);
  }
}

function applyEnvironment(config: Record<string, unknown>, env: Environment): Record<string, unknown> {
  const overlay: Record<string, unknown> = { ...config };
  // A section that is not a mapping is left as it is, for the schema to report.
  const section = (name: string): Record<string, unknown> | undefined => {
    const value = config[name];
    if (value === undefined) return {};
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : undefined;
  };
  const services = section("services");
  if (services) {
    if (env.KEEL_HOST) services.host = env.KEEL_HOST;
    const port = (name: string, field: string) => {
      const raw = env[name];
      if (raw === undefined || raw === "") return;
      const value = Number(raw);
      if (!Number.isInteger(value)) {
        throw new ConfigError("the environment", [
          { path: name, message: `expected an integer port, received "${raw}"` },
        ]);
      }
      services[field] = value;
    };
    port(PORT_VARIABLES.trpc, "trpcPort");
    port(PORT_VARIABLES.graphql, "graphqlPort");
    port(PORT_VARIABLES.openai, "openaiPort");
    port(PORT_VARIABLES.simulator, "simulatorPort");
    port(PORT_VARIABLES.worker, "workerPort");
    const workers = env.KEEL_WORKERS;
    if (workers !== undefined && workers !== "") {
      const value = Number(workers);
      if (!Number.isInteger(value) || value < 1) {
        throw new ConfigError("the environment", [
          { path: "KEEL_WORKERS", message: `expected a whole number of processes, 1 or more, received "${workers}"` },
        ]);
      }
      services.workers = value;
    }
    overlay.services = services;
  }
  const redis = section("redis");
  if (env.REDIS_URL && redis) {
    // REDIS_URL names the whole target: it replaces a file's url or cluster section alike.
    const { cluster: _replaced, ...rest } = redis;
    overlay.redis = { ...rest, url: env.REDIS_URL };
  }
  if (env.KEEL_DATA_DIR) overlay.dataDir = env.KEEL_DATA_DIR;
  const auth = section("auth");
  if (env.KEEL_BOOTSTRAP_ADMIN_KEY && auth) {
    // A secret: checked here with a message that never repeats it (the schema's errors quote values).
    if (!parseApiKey(env.KEEL_BOOTSTRAP_ADMIN_KEY)) {
      throw new ConfigError("the environment", [
        {
          path: "KEEL_BOOTSTRAP_ADMIN_KEY",
          message:
            "expected a key such as keel_<12 lowercase letters or digits>_<43 or more base64url characters>; `pnpm keel keys generate` prints one",
        },
      ]);
    }
    overlay.auth = { ...auth, bootstrapAdminKey: env.KEEL_BOOTSTRAP_ADMIN_KEY };
  }
  const jobs = section("jobs");
  const webhooks = jobs?.webhooks;
  if (
    env.KEEL_WEBHOOK_SECRET &&
    jobs &&
    typeof webhooks === "object" &&
    webhooks !== null &&
    !Array.isArray(webhooks)
  ) {
    // The signing secret is better kept out of the config file.
    overlay.jobs = { ...jobs, webhooks: { ...(webhooks as Record<string, unknown>), secret: env.KEEL_WEBHOOK_SECRET } };
  }
  const telemetry = section("telemetry");
  if (env.KEEL_LOG_LEVEL && telemetry) {
    const log = telemetry.log;
    const isMapping = typeof log === "object" && log !== null && !Array.isArray(log);
    telemetry.log = { ...(isMapping ? (log as Record<string, unknown>) : {}), level: env.KEEL_LOG_LEVEL };
    overlay.telemetry = telemetry;
  }
  return overlay;
}

/**
 * Fills providers and routes when the config names none: an OpenAI-compatible endpoint
 * when OPENAI_API_KEY or OPENAI_BASE_URL is set (a base URL alone gets a placeholder
 * key: local servers often need none), else the embedded simulator.
 */
function withDefaultRoutes(config: KeelConfig, env: Environment): KeelConfig {
  if (Object.keys(config.providers).length > 0) return config;
  const apiKey = env.OPENAI_API_KEY || undefined;
  const baseURL = env.OPENAI_BASE_URL || undefined;
  const external = apiKey !== undefined || baseURL !== undefined;
  const name = external ? "openai" : "simulator";
  const provider = external
    ? { type: "openai" as const, apiKey: apiKey ?? PLACEHOLDER_API_KEY, ...(baseURL ? { baseURL } : {}) }
    : {
        type: "openai" as const,
        apiKey: "simulator",
        baseURL: `${httpOrigin(config.services.host, config.services.simulatorPort)}/v1`,
      };
  if (baseURL !== undefined && !/^https?:\/\/[^/]/.test(baseURL)) {
    throw new ConfigError("the environment", [
      { path: "OPENAI_BASE_URL", message: `expected a URL such as http://127.0.0.1:11434/v1, received "${baseURL}"` },
    ]);
  }
  const models = { ...config.models };
  for (const model of DEFAULT_CHAT_MODELS) {
    models[model] ??= { targets: [model, ...(DEFAULT_FALLBACKS[model] ?? [])].map((target) => `${name}/${target}`) };
  }
  const embeddingModels = { ...config.embeddingModels };
  for (const model of DEFAULT_EMBEDDING_MODELS) embeddingModels[model] ??= `${name}/${model}`;
  return { ...config, providers: { [name]: provider }, models, embeddingModels };
}

/** True when the config runs against the embedded simulator (so the launcher starts one). */
export function usesEmbeddedSimulator(config: KeelConfig): boolean {
  return Object.keys(config.providers).length === 1 && config.providers.simulator?.apiKey === "simulator";
}
