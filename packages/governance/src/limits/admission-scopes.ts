import { KeelError } from "@keel/spec";
import type { RateLimits } from "../keys/key-types.ts";
import { checkTenant } from "../shared/identifiers.ts";
import type { AdmissionRequest, ScopeSpec } from "./rate-limit-types.ts";

/**
 * The scopes an admission checks, most specific first (key, then tenant), skipping
 * scopes without any limit. An empty list means there is nothing to count.
 */
export function scopesOf(request: AdmissionRequest): ScopeSpec[] {
  checkTenant(request.tenant);
  if (!Number.isSafeInteger(request.tokens) || request.tokens < 0) {
    throw new KeelError("BAD_REQUEST", "tokens must be a non-negative integer", { details: { field: "tokens" } });
  }
  const scopes: ScopeSpec[] = [];
  if (request.key) {
    if (typeof request.key.id !== "string" || request.key.id.length === 0) {
      throw new KeelError("BAD_REQUEST", "key.id must be a non-empty string", { details: { field: "key.id" } });
    }
    const key = resolved(request.key.limits, "key.limits");
    if (key) scopes.push({ scope: "key", id: request.key.id, ...key });
  }
  const tenant = resolved(request.tenantLimits, "tenantLimits");
  if (tenant) scopes.push({ scope: "tenant", id: request.tenant, ...tenant });
  return scopes;
}

function resolved(limits: RateLimits | undefined, field: string) {
  if (!limits) return undefined;
  const requestsPerMinute = limitValue(limits.requestsPerMinute, `${field}.requestsPerMinute`);
  const tokensPerMinute = limitValue(limits.tokensPerMinute, `${field}.tokensPerMinute`);
  const concurrency = limitValue(limits.concurrency, `${field}.concurrency`);
  if (requestsPerMinute + tokensPerMinute + concurrency === 0) return undefined;
  return { requestsPerMinute, tokensPerMinute, concurrency };
}

function limitValue(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new KeelError("BAD_REQUEST", `${field} must be a positive integer`, { details: { field } });
  }
  return value;
}
