import { KeelError, noopEventSink, type EmbeddingModel, type EventSink, type Model } from "@keel/spec";
import { AttemptTimeoutPolicy } from "./attempt-timeout.ts";
import { CircuitBreakerPolicy, type BreakerState } from "./circuit-breaker.ts";
import { ConcurrencyLimiter } from "./concurrency-limiter.ts";
import type { TargetPolicy } from "./options.ts";
import { wrap, type Policy } from "./policy.ts";
import { resolvePolicy, type ResolvedPolicy } from "./resolve-policy.ts";
import { RetryPolicy } from "./retry.ts";
import { RetryBudget } from "./retry-budget.ts";
import { createEmbeddingTargetModel, createTargetModel, type TargetModel, type TargetStack } from "./target-model.ts";

export interface ResilienceOptions {
  /** Pipeline-level sink for breaker state changes (they belong to no one request). */
  events?: EventSink;
}

export interface Resilience {
  /**
   * The per-target stack, retry -> circuit breaker -> concurrency limit -> timeout ->
   * model. Memoised by name: the breaker, limiter and retry budget of a target are
   * shared by all requests, and built from the policy of the first call for that name.
   */
  target(options: { name: string; model: Model; policy?: TargetPolicy }): TargetModel;
  /** The same per-target stack (shared by name with chat targets) around an embedding model. */
  embeddingTarget(options: { name: string; model: EmbeddingModel; policy?: TargetPolicy }): EmbeddingModel;
  breakerStates(): Record<string, BreakerState>;
  /** Stops the breakers' timers; calls after this fail with UPSTREAM_UNAVAILABLE. */
  close(): void;
}

interface SharedTarget extends TargetStack {
  breaker: CircuitBreakerPolicy | undefined;
  wrapped: WeakMap<Model, TargetModel>;
}

export function createResilience(options: ResilienceOptions = {}): Resilience {
  const events = options.events ?? noopEventSink;
  const targets = new Map<string, SharedTarget>();

  function sharedTarget(name: string, policy: TargetPolicy | undefined): SharedTarget {
    let shared = targets.get(name);
    if (!shared) {
      shared = createSharedTarget(name, resolvePolicy(policy), events);
      targets.set(name, shared);
    }
    return shared;
  }

  return {
    target({ name, model, policy }) {
      if (typeof name !== "string" || name.length === 0) {
        throw new KeelError("BAD_REQUEST", "target name must be a non-empty string", { details: { field: "name" } });
      }
      const shared = sharedTarget(name, policy);
      let wrapped = shared.wrapped.get(model);
      if (!wrapped) {
        wrapped = createTargetModel(shared, model);
        shared.wrapped.set(model, wrapped);
      }
      return wrapped;
    },
    embeddingTarget({ name, model, policy }) {
      if (typeof name !== "string" || name.length === 0) {
        throw new KeelError("BAD_REQUEST", "target name must be a non-empty string", { details: { field: "name" } });
      }
      return createEmbeddingTargetModel(sharedTarget(name, policy), model);
    },
    breakerStates() {
      const result: Record<string, BreakerState> = {};
      for (const [name, target] of targets) if (target.breaker) result[name] = target.breaker.state;
      return result;
    },
    close() {
      for (const target of targets.values()) target.breaker?.shutdown();
    },
  };
}

/** The target's policies, outermost first, folded into one stack: built once per name. */
function createSharedTarget(name: string, policy: ResolvedPolicy, events: EventSink): SharedTarget {
  const { retry, concurrency } = policy;
  const breaker = policy.breaker && new CircuitBreakerPolicy(name, policy.breaker, events);
  const outer: Array<Policy | undefined> = [
    retry && new RetryPolicy(name, retry, retry.budget && new RetryBudget(retry.budget)),
    breaker,
    concurrency && new ConcurrencyLimiter(name, concurrency),
  ];
  return {
    name,
    policy,
    policies: wrap(
      ...outer.filter((layer) => layer !== undefined),
      new AttemptTimeoutPolicy(name, policy.timeout.attemptMs),
    ),
    breaker,
    wrapped: new WeakMap(),
  };
}
