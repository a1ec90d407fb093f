import { KeelError } from "@keel/spec";
import { badOption, optionalAmount, optionalInteger } from "../shared/options.ts";
import { API_KEY_ROLES, type ApiKeyRole, type BudgetLimits, type RateLimits } from "./key-types.ts";

const MAX_NAME_LENGTH = 1_024;
const MAX_ALLOWED_MODELS = 1_000;
const MAX_MODEL_NAME_LENGTH = 256;

export function checkRole(role: unknown, field = "role"): ApiKeyRole {
  if (typeof role === "string" && (API_KEY_ROLES as readonly string[]).includes(role)) return role as ApiKeyRole;
  throw badOption(field, `one of ${API_KEY_ROLES.join(", ")}`);
}

/** Any text up to 1,024 characters, the empty string included: a name is stored and listed exactly as given. */
export function checkName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name.length > MAX_NAME_LENGTH) {
    throw badOption(field, `text of at most ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}

export function checkAllowedModels(models: unknown, field = "allowedModels"): string[] | undefined {
  if (models === undefined || models === null) return undefined;
  const valid =
    Array.isArray(models) &&
    models.length <= MAX_ALLOWED_MODELS &&
    models.every((model) => typeof model === "string" && model.length > 0 && model.length <= MAX_MODEL_NAME_LENGTH);
  if (!valid) throw badOption(field, `a list of at most ${MAX_ALLOWED_MODELS} route names`);
  return [...new Set(models as string[])];
}

export function checkRateLimits(limits: unknown, field = "limits"): RateLimits | undefined {
  if (limits === undefined || limits === null) return undefined;
  const source = plainObject(limits, field, ["requestsPerMinute", "tokensPerMinute", "concurrency"]);
  return withoutUndefined({
    requestsPerMinute: optionalInteger(source.requestsPerMinute, `${field}.requestsPerMinute`),
    tokensPerMinute: optionalInteger(source.tokensPerMinute, `${field}.tokensPerMinute`),
    concurrency: optionalInteger(source.concurrency, `${field}.concurrency`),
  });
}

export function checkBudgetLimits(budget: unknown, field = "budget"): BudgetLimits | undefined {
  if (budget === undefined || budget === null) return undefined;
  const source = plainObject(budget, field, ["dailyUsd", "monthlyUsd"]);
  return withoutUndefined({
    dailyUsd: optionalAmount(source.dailyUsd, `${field}.dailyUsd`),
    monthlyUsd: optionalAmount(source.monthlyUsd, `${field}.monthlyUsd`),
  });
}

// A misspelt field ("rpm") is an error, not a silently absent limit.
function plainObject(value: unknown, field: string, known: string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badOption(field, "an object");
  for (const name of Object.keys(value)) {
    if (!known.includes(name)) {
      throw new KeelError("BAD_REQUEST", `${field}.${name} is not a known setting (${known.join(", ")})`, {
        details: { field: `${field}.${name}` },
      });
    }
  }
  return value as Record<string, unknown>;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
