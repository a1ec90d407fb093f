import { embedText } from "@keel/cache";
import {
  type ClaimChecker,
  createMemoryReviewStore,
  createPolicyResolver,
  createRedisReviewStore,
  createReviewQueue,
  type EmbedTexts,
  inputSafetyMiddleware,
  loadKnowledgeBases,
  outputSafetyMiddleware,
  type ReviewQueue,
  type SafetyPolicy,
  runWarmUpSamples,
  warmUpScanners,
} from "@keel/safety";
import type { EventSink, Middleware } from "@keel/spec";
import { ConfigError } from "../config/config-error.ts";
import type { KeelConfig } from "../config/schema.ts";
import type { RedisClients } from "../redis/redis-clients.ts";

export interface PipelineSafety {
  /** Undefined when `safety.enabled` is false. */
  input: Middleware | undefined;
  output: Middleware | undefined;
  review: ReviewQueue;
  /**
   * Runs every detector the routes' policies use once over a sample text, so regexes compile
   * and first-call costs are paid at a service's start, not by its first request; how many ran.
   */
  warmUp(): number;
}

/** The claim checker's semantic retrieval: the cache's local embedder (no network, no weights). */
const embed: EmbedTexts = (texts) => texts.map((text) => embedText(text, 512));

/**
 * Maps the config's safety section to @keel/safety: each route's policy over
 * `safety.defaults`, the knowledge bases loaded and indexed once, and the review queue on
 * the shared store (Redis when configured, so any instance can decide any item) reporting
 * decisions on telemetry's pipeline sink.
 */
export function createPipelineSafety(options: {
  config: KeelConfig;
  events: EventSink;
  /** The process's shared connections when `redis` is configured. */
  redis: RedisClients | undefined;
  onWarning: (message: string) => void;
}): PipelineSafety {
  const { config, events, redis, onWarning } = options;
  const settings = config.safety;
  const store =
    config.redis && redis
      ? createRedisReviewStore({
          client: redis.requests,
          keyPrefix: `${config.redis.keyPrefix}review:`,
          commandTimeoutMs: Math.max(1_000, config.redis.commandTimeoutMs),
        })
      : createMemoryReviewStore();
  const review = createReviewQueue({
    store,
    events,
    retentionMs: settings.review.retentionSeconds * 1_000,
    sweepEveryMs: settings.review.sweepEverySeconds * 1_000,
    pollMs: settings.review.pollMs,
  });
  if (!settings.enabled) return { input: undefined, output: undefined, review, warmUp: () => 0 };

  const routes: Record<string, SafetyPolicy | undefined> = {};
  for (const [route, routeSettings] of Object.entries(config.models)) routes[route] = routeSettings.safety;
  const policyFor = createPolicyResolver({ defaults: settings.defaults, routes });
  // Detector weights are read now, not during a route's first request.
  const detectors = new Set(Object.keys(config.models).flatMap((route) => warmUpScanners(policyFor(route))));
  return {
    warmUp() {
      for (const detector of detectors) runWarmUpSamples(detector);
      return detectors.size;
    },
    input: inputSafetyMiddleware({ policyFor, review, onWarning }),
    output: outputSafetyMiddleware({ policyFor, knowledgeBases: knowledgeBasesOf(settings.knowledgeBases), embed }),
    review,
  };
}

function knowledgeBasesOf(folders: Record<string, string>): Record<string, ClaimChecker> {
  const checkers: Record<string, ClaimChecker> = {};
  for (const [name, folder] of Object.entries(folders)) {
    try {
      Object.assign(checkers, loadKnowledgeBases({ [name]: folder }, { embed }));
    } catch (error) {
      throw new ConfigError("the config given to createPipeline", [
        { path: `safety.knowledgeBases.${name}`, message: (error as Error).message },
      ]);
    }
  }
  return checkers;
}
