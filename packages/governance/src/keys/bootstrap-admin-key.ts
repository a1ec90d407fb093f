import { DEFAULT_TENANT } from "@keel/spec";
import type { ApiKeyStore } from "./api-key-store.ts";
import type { ApiKey } from "./key-types.ts";

/**
 * Creates or refreshes the operator's admin key (KEEL_BOOTSTRAP_ADMIN_KEY, read by the
 * app): the key is stored under the id its string carries, with its secret's hash, role
 * admin, and un-revoked. Safe to run at every start.
 */
export function bootstrapAdminKey(
  store: ApiKeyStore,
  key: string,
  options: { tenant?: string; name?: string } = {},
): Promise<ApiKey> {
  return store.install({
    key,
    role: "admin",
    tenant: options.tenant ?? DEFAULT_TENANT,
    name: options.name ?? "bootstrap admin",
  });
}
