import { KeelError } from "@keel/spec";
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxSelections: number;
  maxCost: number;
}

/**
 * Root fields that reach the pipeline (an upstream call each) or read the ledger and the
 * readiness checks; every other field costs 1. A document of a thousand aliased `usage`
 * reads, or ten `generate` calls, is refused before anything runs.
 */
const ROOT_FIELD_COST: Readonly<Record<string, number>> = {
  generate: 100,
  structured: 100,
  embed: 100,
  generateStream: 100,
  usage: 20,
  metricsSnapshot: 20,
  health: 20,
};

interface Measure {
  depth: number;
  aliases: number;
  selections: number;
  cost: number;
}

/**
 * One validation rule for every operation: nesting depth, aliases, field selections and
 * cost, with fragments expanded. Each fragment is measured once and its measure reused, so
 * a "fragment bomb" (each fragment spreading the next twice) is counted at its expanded
 * size without being expanded; a fragment cycle measures as empty (graphql's own
 * NoFragmentCycles rule reports it).
 */
export function documentLimitsRule(limits: DocumentLimits): ValidationRule {
  return (context: ValidationContext) => {
    const measured = new Map<string, Measure>();
    const inProgress = new Set<string>();

    const measureFragment = (fragment: FragmentDefinitionNode, atRoot: boolean): Measure => {
      const key = `${fragment.name.value}:${atRoot}`;
      const known = measured.get(key);
      if (known) return known;
      if (inProgress.has(key)) return { depth: 0, aliases: 0, selections: 0, cost: 0 };
      inProgress.add(key);
      const measure = measureSet(fragment.selectionSet, atRoot);
      inProgress.delete(key);
      measured.set(key, measure);
      return measure;
    };

    const measureSet = (set: SelectionSetNode, atRoot: boolean): Measure => {
      const total: Measure = { depth: 0, aliases: 0, selections: 0, cost: 0 };
      for (const selection of set.selections) {
        let part: Measure;
        if (selection.kind === Kind.FIELD) {
          const inner = selection.selectionSet ? measureSet(selection.selectionSet, false) : undefined;
          part = {
            depth: 1 + (inner?.depth ?? 0),
            aliases: (selection.alias ? 1 : 0) + (inner?.aliases ?? 0),
            selections: 1 + (inner?.selections ?? 0),
            cost: (atRoot ? (ROOT_FIELD_COST[selection.name.value] ?? 1) : 1) + (inner?.cost ?? 0),
          };
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          part = measureSet(selection.selectionSet, atRoot);
        } else {
          const fragment = context.getFragment(selection.name.value);
          part = fragment ? measureFragment(fragment, atRoot) : { depth: 0, aliases: 0, selections: 0, cost: 0 };
        }
        total.depth = Math.max(total.depth, part.depth);
        total.aliases += part.aliases;
        total.selections += part.selections;
        total.cost += part.cost;
      }
      return total;
    };

    return {
      OperationDefinition(operation) {
        const measure = measureSet(operation.selectionSet, true);
        const checks: Array<[keyof Measure, number, string]> = [
          ["depth", limits.maxDepth, "nests selections deeper than"],
          ["aliases", limits.maxAliases, "has more aliases than"],
          ["selections", limits.maxSelections, "selects more fields than"],
          ["cost", limits.maxCost, "costs more than"],
        ];
        for (const [name, limit, words] of checks) {
          if (measure[name] <= limit) continue;
          const message = `the operation ${words} ${limit} (${measure[name]})`;
          const cause = new KeelError("BAD_REQUEST", message, { details: { reason: `document-${name}`, limit } });
          context.reportError(new GraphQLError(message, { nodes: operation, originalError: cause }));
        }
        return false;
      },
    };
  };
}
