import { Buffer } from "node:buffer";
import { KeelError } from "@keel/spec";

const MAX_TENANT_LENGTH = 128;
const READABLE_TAG = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A tenant name: 1 to 128 characters of well-formed text (a lone surrogate would not
 * survive UTF-8 and two tenants could collide). Returns it unchanged.
 */
export function checkTenant(tenant: unknown, field = "tenant"): string {
  if (typeof tenant !== "string" || tenant.length === 0 || tenant.length > MAX_TENANT_LENGTH) {
    throw new KeelError("BAD_REQUEST", `${field} must be 1 to ${MAX_TENANT_LENGTH} characters`, { details: { field } });
  }
  if (!isWellFormed(tenant)) {
    throw new KeelError("BAD_REQUEST", `${field} must be well-formed text`, { details: { field } });
  }
  return tenant;
}

export function isWellFormed(text: string): boolean {
  return Buffer.from(text, "utf8").toString("utf8") === text;
}

/**
 * The Redis Cluster hash tag of a tenant: every key one script touches carries the same
 * `{tag}`, so they share one slot. Plain names stay readable; anything else (braces,
 * spaces, ":" ...) becomes "~" + base64url, which cannot collide with a readable tag and
 * never contains a brace, so the tag always ends where we mean it to.
 */
export function tenantTag(tenant: string): string {
  if (READABLE_TAG.test(tenant)) return tenant;
  return "~" + Buffer.from(tenant, "utf8").toString("base64url");
}

/** A key prefix must not contain braces: Redis would take the hash tag from the prefix. */
export function checkKeyPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) {
    throw new KeelError("BAD_REQUEST", "keyPrefix must not contain { or }", { details: { field: "keyPrefix" } });
  }
  return prefix;
}
