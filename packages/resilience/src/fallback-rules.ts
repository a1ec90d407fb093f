import { KeelError } from "@keel/spec";

/**
 * What a fallback chain does after a target fails, per class of failure:
 * - "retry-then-next": the target retries (its retry policy), then the next target
 * - "next": no retries here, the next target at once (the last target still retries)
 * - "stop": no fallback; the failure ends the request (after the target's own retries)
 * - { target: "provider/model" }: no retries here, jump to that target of the chain
 */
export type FallbackAction = "retry-then-next" | "next" | "stop" | { target: string };

/** Per failure class; JSON-friendly so it can live in a YAML config. Defaults in DEFAULT_FALLBACK_RULES. */
export interface FallbackRules {
  /** 429 / UPSTREAM_RATE_LIMITED. Default "next". */
  rateLimited?: FallbackAction;
  /** Attempt, first-token and idle timeouts. Default "retry-then-next". */
  timeout?: FallbackAction;
  /** 5xx, connection errors, truncated streams, load shed. Default "retry-then-next". */
  unavailable?: FallbackAction;
  /** The target's breaker is open. Default "next". */
  circuitOpen?: FallbackAction;
  /** The prompt does not fit (details.reason "context-length"). Default "next"; point it at a larger-context target. */
  contextLength?: FallbackAction;
  /** CONTENT_BLOCKED: another model would be a way around the policy. Default "stop". */
  contentPolicy?: FallbackAction;
  /** 400, 404, 422: the request itself is wrong. Default "stop". */
  badRequest?: FallbackAction;
  /** The upstream rejected Keel's credentials (401/403): another provider may not. Default "next". */
  unauthorized?: FallbackAction;
  /** Anything else (INTERNAL, ...). Default "stop". */
  other?: FallbackAction;
}

export type FailureClass = keyof FallbackRules;

export const DEFAULT_FALLBACK_RULES: Readonly<Required<FallbackRules>> = {
  rateLimited: "next",
  timeout: "retry-then-next",
  unavailable: "retry-then-next",
  circuitOpen: "next",
  contextLength: "next",
  contentPolicy: "stop",
  badRequest: "stop",
  unauthorized: "next",
  other: "stop",
};

export function classifyFailure(error: KeelError): FailureClass {
  const reason = error.details.reason;
  if (reason === "context-length") return "contextLength";
  if (error.code === "CONTENT_BLOCKED" || reason === "content-policy") return "contentPolicy";
  if (reason === "upstream-auth" || error.status === 401 || error.status === 403) return "unauthorized";
  switch (error.code) {
    case "CIRCUIT_OPEN":
      return "circuitOpen";
    case "UPSTREAM_RATE_LIMITED":
      return "rateLimited";
    case "UPSTREAM_TIMEOUT":
      return "timeout";
    case "UPSTREAM_UNAVAILABLE":
      return error.status === 429 ? "rateLimited" : "unavailable";
    case "BAD_REQUEST":
      return "badRequest";
    case "UNAUTHENTICATED":
    case "FORBIDDEN":
      return "unauthorized";
    default:
      return "other";
  }
}

/** Defaults filled in; a bad action, or a jump to a target the chain lacks, is a BAD_REQUEST naming the rule. */
export function resolveRules(
  rules: FallbackRules | undefined,
  targetNames: readonly string[],
): Required<FallbackRules> {
  const resolved = { ...DEFAULT_FALLBACK_RULES };
  if (rules === undefined) return resolved;
  for (const [key, action] of Object.entries(rules) as Array<[string, unknown]>) {
    const field = `rules.${key}`;
    if (!Object.hasOwn(DEFAULT_FALLBACK_RULES, key)) {
      throw new KeelError(
        "BAD_REQUEST",
        `${field} is not a failure class; use one of ${Object.keys(DEFAULT_FALLBACK_RULES).join(", ")}`,
        { details: { field } },
      );
    }
    if (action === undefined) continue;
    resolved[key as FailureClass] = checkAction(action, field, targetNames);
  }
  return resolved;
}

function checkAction(action: unknown, field: string, targetNames: readonly string[]): FallbackAction {
  if (action === "retry-then-next" || action === "next" || action === "stop") return action;
  if (typeof action === "object" && action !== null && typeof (action as { target?: unknown }).target === "string") {
    const target = (action as { target: string }).target;
    if (targetNames.includes(target)) return { target };
    throw new KeelError("BAD_REQUEST", `${field}.target "${target}" is not a target of this chain`, {
      details: { field: `${field}.target` },
    });
  }
  throw new KeelError("BAD_REQUEST", `${field} must be "retry-then-next", "next", "stop" or { target }`, {
    details: { field },
  });
}
