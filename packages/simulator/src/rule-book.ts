import { createSeededRandom, DEFAULT_SEED } from "./seeded-random.ts";
import type { SimulatorLatency, SimulatorLatencyOptions, SimulatorRule } from "./types.ts";

/** The latency that applies to one call, fields resolved rule > model > global. */
export interface ResolvedLatency {
  ttftMs: number;
  perTokenMs: number;
}

/**
 * The scenario in force: its rules in order, each with its own count of matching calls
 * (for `after` and `times`), the latency settings, and the seeded generator that decides
 * `probability` draws.
 */
export class RuleBook {
  private rules: readonly SimulatorRule[] = [];
  private matches: number[] = [];
  private readonly globalLatency: ResolvedLatency;
  private readonly modelLatency: ReadonlyMap<string, ResolvedLatency>;
  private readonly seed: number;
  private random: () => number;

  constructor(latency: SimulatorLatencyOptions = {}, seed = DEFAULT_SEED) {
    this.seed = seed;
    this.random = createSeededRandom(seed);
    this.globalLatency = { ttftMs: latency.ttftMs ?? 0, perTokenMs: latency.perTokenMs ?? 0 };
    const perModel = new Map<string, ResolvedLatency>();
    for (const [model, settings] of Object.entries(latency.models ?? {})) {
      perModel.set(model, mergeLatency(this.globalLatency, settings));
    }
    this.modelLatency = perModel;
  }

  /** Replaces the scenario; counters and the generator restart. Rules must be validated first. */
  replace(rules: readonly SimulatorRule[]): void {
    this.rules = rules.map((rule) => ({ ...rule }));
    this.matches = rules.map(() => 0);
    this.random = createSeededRandom(this.seed);
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * The rule that decides this call, if any. A rule still inside its `after` window
   * counts the call and lets the next rules decide. A rule with `probability` draws once
   * per matching call; a lost draw means the rule does not match this call at all.
   */
  decide(model: string, prompt: string): SimulatorRule | undefined {
    const rules = this.rules;
    for (let index = 0; index < rules.length; index++) {
      const rule = rules[index]!;
      if (rule.model !== undefined && rule.model !== model) continue;
      if (rule.promptIncludes !== undefined && !prompt.includes(rule.promptIncludes)) continue;
      const after = rule.after ?? 0;
      const seen = this.matches[index]!;
      if (rule.times !== undefined && seen >= after + rule.times) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      this.matches[index] = seen + 1;
      if (seen < after) continue;
      return rule;
    }
    return undefined;
  }

  latencyFor(model: string, rule: SimulatorRule | undefined): ResolvedLatency {
    const base = this.modelLatency.get(model) ?? this.globalLatency;
    return rule?.latency === undefined ? base : mergeLatency(base, rule.latency);
  }
}

function mergeLatency(base: ResolvedLatency, override: SimulatorLatency): ResolvedLatency {
  return { ttftMs: override.ttftMs ?? base.ttftMs, perTokenMs: override.perTokenMs ?? base.perTokenMs };
}
