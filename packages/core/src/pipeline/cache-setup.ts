import {
  createLocalEmbedder,
  createMemoryStore,
  createRedisStore,
  embedderFromModel,
  embeddingCacheMiddleware,
  exactCacheMiddleware,
  semanticCacheMiddleware,
  type CacheStore,
  type SemanticCacheMiddleware,
  type RoutePolicy,
} from "@keel/cache";
import type { ChatRequest, Middleware } from "@keel/spec";
import { revalidate } from "@keel/validation";
import { ConfigError } from "../config/config-error.ts";
import type { KeelConfig } from "../config/schema.ts";
import type { RedisClients } from "../redis/redis-clients.ts";
import type { ProviderRegistry } from "./provider-registry.ts";

export interface PipelineCache {
  store: CacheStore;
  /** exact, semantic and embedding caches, in pipeline order. */
  middlewares: Middleware[];
  /** The semantic index's one-off first-miss work, done now (a service's start); false if there is none to do. */
  warmUp(): boolean;
}

/**
 * The caches on one store: Redis when `redis` is configured (shared by every instance),
 * else a bounded in-memory LRU. Keys include the route's target list, so changing a
 * route's targets starts it with a fresh cache; cached structured answers are
 * validated again on read.
 */
export function createPipelineCache(options: {
  config: KeelConfig;
  providers: ProviderRegistry;
  /** The process's shared connections when `redis` is configured. */
  redis: RedisClients | undefined;
  onWarning: (message: string) => void;
}): PipelineCache {
  const { config, providers, redis, onWarning } = options;
  const settings = config.cache;
  const store =
    config.redis && redis
      ? createRedisStore({
          client: redis.requests,
          keyPrefix: `${config.redis.keyPrefix}cache:`,
          commandTimeoutMs: config.redis.commandTimeoutMs,
          onWarning,
        })
      : createMemoryStore(settings.memory);
  const routes: Record<string, RoutePolicy> = {};
  for (const [route, routeSettings] of Object.entries(config.models))
    if (routeSettings.cache) routes[route] = routeSettings.cache;
  const keyScope = (request: ChatRequest) =>
    Object.hasOwn(config.models, request.model) ? (config.models[request.model]?.targets.join(",") ?? "") : "";
  const shared = {
    store,
    defaults: settings.defaults,
    routes,
    sharedNamespaces: settings.sharedNamespaces,
    keyScope,
    verify: revalidate,
  };

  const middlewares: Middleware[] = [exactCacheMiddleware({ ...shared, coalesce: settings.coalesce })];
  let semantic: SemanticCacheMiddleware | undefined;
  if (settings.semantic.enabled) {
    const { threshold, maxMessages, includeSystemPrompt, maxEntries, maxEntriesPerNamespace } = settings.semantic;
    semantic = semanticCacheMiddleware({
      ...shared,
      embedder: embedderFor(config, providers),
      ...(threshold === undefined ? {} : { threshold }),
      ...(maxMessages === undefined ? {} : { maxMessages }),
      ...(includeSystemPrompt === undefined ? {} : { includeSystemPrompt }),
      ...(maxEntries === undefined ? {} : { maxEntries }),
      ...(maxEntriesPerNamespace === undefined ? {} : { maxEntriesPerNamespace }),
    });
    middlewares.push(semantic);
  }
  if (settings.embeddings.enabled) {
    middlewares.push(
      embeddingCacheMiddleware({
        store,
        sharedNamespaces: settings.sharedNamespaces,
        ...(settings.embeddings.ttlSeconds ? { ttlSeconds: settings.embeddings.ttlSeconds } : {}),
      }),
    );
  }
  return { store, middlewares, warmUp: () => semantic?.warmUp() ?? false };
}

function embedderFor(config: KeelConfig, providers: ProviderRegistry) {
  const name = config.cache.semantic.embedder;
  if (name === "local") return createLocalEmbedder();
  const target = Object.hasOwn(config.embeddingModels, name) ? config.embeddingModels[name] : undefined;
  if (!target)
    throw new ConfigError("the config given to createPipeline", [
      {
        path: "cache.semantic.embedder",
        message: `expected "local" or one of embeddingModels (${Object.keys(config.embeddingModels).join(", ") || "none"}), received "${name}"`,
      },
    ]);
  return embedderFromModel(providers.embeddingModel(target), name);
}
