import { KeelError } from "@keel/spec";
import { API_KEY_ROLES, type ApiKey, type ApiKeyRole } from "./key-types.ts";

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (typeof header !== "string") return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Roles are ranked caller < reviewer < admin; a key satisfies its own role and every one below. */
export function hasRole(key: Pick<ApiKey, "role">, needed: ApiKeyRole): boolean {
  return API_KEY_ROLES.indexOf(key.role) >= API_KEY_ROLES.indexOf(needed);
}

/** FORBIDDEN unless the key's role is at least `needed`. */
export function requireRole(key: Pick<ApiKey, "role">, needed: ApiKeyRole): void {
  if (!hasRole(key, needed)) {
    throw new KeelError("FORBIDDEN", `this operation needs the ${needed} role`, {
      details: { reason: "role", required: needed },
    });
  }
}

/** True when the key may call the route: no list, a list with "*", or the route listed. */
export function canUseModel(key: Pick<ApiKey, "allowedModels">, route: string): boolean {
  const allowed = key.allowedModels;
  return allowed === undefined || allowed.includes("*") || allowed.includes(route);
}

/** FORBIDDEN unless the key may call the route (model). */
export function requireModel(key: Pick<ApiKey, "allowedModels">, route: string): void {
  if (!canUseModel(key, route)) {
    throw new KeelError("FORBIDDEN", "this API key may not call this model", {
      details: { reason: "model-not-allowed", field: "model" },
    });
  }
}
