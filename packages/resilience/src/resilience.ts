import { KeelError, noopEventSink, type EventSink, type Model } from "@keel/spec";
import { TargetBreaker, type BreakerState } from "./circuit-breaker.ts";
import { ConcurrencyLimiter } from "./concurrency-limiter.ts";
import type { TargetPolicy } from "./options.ts";
import { resolvePolicy } from "./resolve-policy.ts";
import { RetryBudget } from "./retry-budget.ts";
import { createTargetModel, type TargetState } from "./target-model.ts";

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
  target(options: { name: string; model: Model; policy?: TargetPolicy }): Model;
  breakerStates(): Record<string, BreakerState>;
  /** Stops the breakers' timers; calls after this fail with UPSTREAM_UNAVAILABLE. */
  close(): void;
}

export function createResilience(options: ResilienceOptions = {}): Resilience {
  const events = options.events ?? noopEventSink;
  const states = new Map<string, TargetState & { wrapped: WeakMap<Model, Model> }>();

  function stateFor(name: string, policy: TargetPolicy | undefined) {
    const existing = states.get(name);
    if (existing) return existing;
    const resolved = resolvePolicy(policy);
    const state = {
      name,
      policy: resolved,
      breaker: resolved.breaker && new TargetBreaker(name, resolved.breaker, events),
      limiter: resolved.concurrency && new ConcurrencyLimiter(name, resolved.concurrency),
      budget: resolved.retry?.budget && new RetryBudget(resolved.retry.budget),
      wrapped: new WeakMap<Model, Model>(),
    };
    states.set(name, state);
    return state;
  }

  return {
    target({ name, model, policy }) {
      if (typeof name !== "string" || name.length === 0) {
        throw new KeelError("BAD_REQUEST", "target name must be a non-empty string", { details: { field: "name" } });
      }
      const state = stateFor(name, policy);
      let wrapped = state.wrapped.get(model);
      if (!wrapped) {
        wrapped = createTargetModel(state, model);
        state.wrapped.set(model, wrapped);
      }
      return wrapped;
    },
    breakerStates() {
      const result: Record<string, BreakerState> = {};
      for (const [name, state] of states) if (state.breaker) result[name] = state.breaker.state;
      return result;
    },
    close() {
      for (const state of states.values()) state.breaker?.shutdown();
    },
  };
}
