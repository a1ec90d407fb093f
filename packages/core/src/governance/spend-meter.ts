import { costMicroUsd, type TokenPrice } from "@keel/governance";
import type { EventSink, KeelEvent } from "@keel/spec";

/**
 * A request's event sink that also adds up what its upstream calls cost: every
 * `upstream-response` (each retry, re-ask, fallback, hedge and escalation that answered),
 * priced by its target. Events pass on to the sink it wraps unchanged.
 */
export interface SpendMeter extends EventSink {
  /** Micro-USD of every upstream answer so far. */
  readonly costMicroUsd: number;
  /** Prompt plus completion tokens of every upstream answer so far. */
  readonly tokens: number;
  /** Upstream calls started that neither answered nor failed (a stream its caller stopped): cost unknown. */
  readonly openCalls: number;
}

export function createSpendMeter(parent: EventSink, priceOf: (target: string) => TokenPrice): SpendMeter {
  let cost = 0;
  let tokens = 0;
  let started = 0;
  let ended = 0;
  return {
    get costMicroUsd() {
      return cost;
    },
    get tokens() {
      return tokens;
    },
    get openCalls() {
      return Math.max(0, started - ended);
    },
    emit(event: KeelEvent) {
      if (event.type === "upstream-request") started += 1;
      else if (event.type === "upstream-error") ended += 1;
      else if (event.type === "upstream-response") {
        ended += 1;
        tokens += event.usage.totalTokens;
        cost += costMicroUsd({
          promptTokens: event.usage.promptTokens,
          completionTokens: event.usage.completionTokens,
          price: priceOf(event.target),
        });
      }
      parent.emit(event);
    },
  };
}
