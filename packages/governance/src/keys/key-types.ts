/** Roles, least to most privileged; a role satisfies every role below it. */
export const API_KEY_ROLES = ["caller", "reviewer", "admin"] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Per-minute limits; an absent field means no limit of that kind. */
export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

/** Spend limits in USD per UTC day and UTC month; an absent field means no limit. */
export interface BudgetLimits {
  dailyUsd?: number;
  monthlyUsd?: number;
}

/** What a key is, as get/list/verify return it. Never holds the secret or its hash. */
export interface ApiKey {
  id: string;
  tenant: string;
  role: ApiKeyRole;
  name: string;
  /** Route (model) names this key may call; `*` means all; absent means all. */
  allowedModels?: string[];
  limits?: RateLimits;
  budget?: BudgetLimits;
  /** ISO 8601 times. */
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** The stored form: the public record plus the secret's hash. Internal to the store. */
export interface StoredApiKey extends ApiKey {
  secretHash: string;
}

export interface CreateApiKeyInput {
  tenant: string;
  role: ApiKeyRole;
  name: string;
  allowedModels?: string[];
  limits?: RateLimits;
  budget?: BudgetLimits;
}

/** A change to a key; `null` removes an optional setting. */
export interface ApiKeyChanges {
  name?: string;
  role?: ApiKeyRole;
  allowedModels?: string[] | null;
  limits?: RateLimits | null;
  budget?: BudgetLimits | null;
}

/** The result of create and rotate: `key` is the full secret string, shown this once. */
export interface IssuedApiKey {
  key: string;
  record: ApiKey;
}

export interface ListApiKeysQuery {
  /** Only this tenant's keys; all tenants when absent (operators). */
  tenant?: string;
  /** Page size, 1 to 500. Default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ApiKeyPage {
  keys: ApiKey[];
  /** Present when more keys follow. */
  nextCursor?: string;
}

/** Drops the hash: the only way a record leaves the store. */
export function publicView(record: StoredApiKey): ApiKey {
  const { secretHash: _hash, ...view } = record;
  return view;
}
