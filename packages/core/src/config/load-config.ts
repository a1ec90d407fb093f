import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "./config-error.ts";
import { configSchema, type KeelConfig } from "./schema.ts";

export type Environment = Readonly<Record<string, string | undefined>>;

/** Model routes the embedded default offers, each answered by the same-named upstream model. */
const DEFAULT_CHAT_MODELS = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1", "o4-mini"];
const DEFAULT_EMBEDDING_MODELS = ["text-embedding-3-small", "text-embedding-3-large"];
/** The embedded default falls back from the small model to a sibling, so failover works out of the box. */
const DEFAULT_FALLBACKS: Record<string, string[]> = { "gpt-4o-mini": ["gpt-4.1-mini"], "gpt-4o": ["gpt-4.1"] };

/** Validates a plain object (from a file, a test, or code) into a full config. */
export function parseConfig(input: unknown, source = "config object"): KeelConfig {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) throw ConfigError.fromZod(source, result.error);
  return result.data;
}

/**
 * Reads the config the way a service starts: the KEEL_CONFIG file (YAML or JSON) if set,
 * overlaid with environment variables; with no settings at all, the embedded default
 * (the local simulator). OPENAI_API_KEY switches the default provider to OpenAI.
 */
export function loadConfig(env: Environment): KeelConfig {
  const file = env.KEEL_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const source = file ?? "environment";
  const config = parseConfig(applyEnvironment(fromFile, env), source);
  return withDefaultRoutes(config, env);
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
  const services = { ...(config.services as Record<string, unknown> | undefined) };
  const numberFrom = (name: string, field: string) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return;
    const value = Number(raw);
    if (!Number.isInteger(value)) {
      throw new ConfigError("environment", [{ path: name, message: `expected an integer port, received "${raw}"` }]);
    }
    services[field] = value;
  };
  if (env.KEEL_HOST) services.host = env.KEEL_HOST;
  const overlay: Record<string, unknown> = { ...config, services };
  if (env.REDIS_URL) overlay.redis = { ...(config.redis as Record<string, unknown> | undefined), url: env.REDIS_URL };
  if (env.KEEL_LOG_LEVEL) {
    const telemetry = { ...(config.telemetry as Record<string, unknown> | undefined) };
    telemetry.log = { ...(telemetry.log as Record<string, unknown> | undefined), level: env.KEEL_LOG_LEVEL };
    overlay.telemetry = telemetry;
  }
  numberFrom("KEEL_TRPC_PORT", "trpcPort");
  numberFrom("KEEL_GRAPHQL_PORT", "graphqlPort");
  numberFrom("KEEL_SIMULATOR_PORT", "simulatorPort");
  return overlay;
}

/** Fills providers and routes when the config names none: OpenAI when a key is set, else the simulator. */
function withDefaultRoutes(config: KeelConfig, env: Environment): KeelConfig {
  if (Object.keys(config.providers).length > 0) return config;
  const apiKey = env.OPENAI_API_KEY;
  const name = apiKey ? "openai" : "simulator";
  const provider = apiKey
    ? { type: "openai" as const, apiKey, ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}) }
    : {
        type: "openai" as const,
        apiKey: "simulator",
        baseURL: `http://${config.services.host}:${config.services.simulatorPort}/v1`,
      };
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
