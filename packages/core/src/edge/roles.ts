import { hasRole } from "@keel/governance";
import { KeelError, type ApiKeyRole, type Principal } from "@keel/spec";

/**
 * FORBIDDEN unless the principal's role is at least `role` (caller < reviewer < admin).
 * With `tenant`, also unless the principal belongs to that tenant: an admin acts for every
 * tenant, a reviewer only for its own (the review operations use this path).
 */
export function requireRole(principal: Principal, role: ApiKeyRole, scope: { tenant?: string } = {}): void {
  if (!hasRole(principal, role)) {
    throw new KeelError("FORBIDDEN", `this operation needs the ${role} role`, {
      details: { reason: "role", required: role },
    });
  }
  if (scope.tenant !== undefined && principal.role !== "admin" && principal.tenant !== scope.tenant) {
    throw new KeelError("FORBIDDEN", "this operation belongs to another tenant", {
      details: { reason: "tenant" },
    });
  }
}

/**
 * The tenant a review operation acts on (`pipeline.review.*(tenant, ...)`): a reviewer's
 * own, FORBIDDEN for another's; an admin's choice, its own when it names none. Callers are
 * FORBIDDEN. The services' review operations call this before touching an item.
 */
export function reviewTenantOf(principal: Principal, tenant?: string): string {
  const target = tenant ?? principal.tenant;
  requireRole(principal, "reviewer", { tenant: target });
  return target;
}
