import type { KeelError } from "@keel/spec";
import { classifyFailure, type FallbackRules } from "./fallback-rules.ts";
import type { TargetModel } from "./target-model.ts";

export interface ChainTarget {
  name: string;
  model: TargetModel;
}

/**
 * The fallback rules of one request's run over a chain: which target comes next (in
 * order, each once, or the one a jump rule names), whether a failure falls back at all,
 * and whether a target may retry a failure itself.
 */
export class TargetOrder {
  private readonly tried = new Set<number>();
  private cursor = 0;

  constructor(
    private readonly targets: readonly ChainTarget[],
    private readonly rules: Required<FallbackRules>,
  ) {}

  /** The next untried target, now counted as tried; undefined when none is left. */
  take(): ChainTarget | undefined {
    const index = this.peek();
    if (index === undefined) return undefined;
    this.tried.add(index);
    return this.targets[index];
  }

  hasNext(): boolean {
    return this.peek() !== undefined;
  }

  /** After a failure: false when its rule is "stop"; a jump rule makes the named target the next one. */
  shouldFallBack(error: KeelError): boolean {
    const action = this.rules[classifyFailure(error)];
    if (action === "stop") return false;
    if (typeof action === "object") {
      const jump = this.targets.findIndex((target) => target.name === action.target);
      if (!this.tried.has(jump)) this.cursor = jump;
    }
    return true;
  }

  /** Rule "next" (or a jump): retrying here only delays the next target, unless none is left. */
  mayRetry(error: KeelError): boolean {
    const action = this.rules[classifyFailure(error)];
    return action === "retry-then-next" || action === "stop" || this.tried.size >= this.targets.length;
  }

  private peek(): number | undefined {
    while (this.cursor < this.targets.length && this.tried.has(this.cursor)) this.cursor += 1;
    return this.cursor < this.targets.length ? this.cursor : undefined;
  }
}
