import { KeelError } from "@keel/spec";
import type { EventHook } from "../shared/events.ts";
import { checkTenant } from "../shared/identifiers.ts";
import { optionalInteger, positiveOption } from "../shared/options.ts";
import { connectRedis, type Health, type RedisOptions } from "../shared/redis-connection.ts";
import { createFileKeyBackend } from "./file-key-backend.ts";
import type { KeyBackend, KeyPatch } from "./key-backend.ts";
import { SORT_KEY_PATTERN } from "./key-records.ts";
import { storeCall, unknownKey } from "./key-store-errors.ts";
import { formatApiKey, generateKeyId, generateSecret, hashSecret, isKeyId, parseApiKey } from "./key-token.ts";
import {
  type ApiKey,
  type ApiKeyChanges,
  type ApiKeyPage,
  type ApiKeyRole,
  type CreateApiKeyInput,
  type IssuedApiKey,
  type ListApiKeysQuery,
  publicView,
  type StoredApiKey,
} from "./key-types.ts";
import { checkAllowedModels, checkBudgetLimits, checkName, checkRateLimits, checkRole } from "./key-validation.ts";
import { createKeyVerifier } from "./key-verifier.ts";
import { createMemoryKeyBackend } from "./memory-key-backend.ts";
import { createRedisKeyBackend } from "./redis-key-backend.ts";

export interface ApiKeyStoreOptions {
  /** Keys in Redis, shared by every instance. */
  redis?: RedisOptions;
  /** Without `redis`: keys in `<dataDir>/api-keys.json` (survives a restart). Without either: in memory. */
  dataDir?: string;
  /**
   * How long a record read from the store answers verification without another read.
   * Revocation, rotation and changes reach every other instance within this. Default 2,000 ms.
   */
  verifyCacheMs?: number;
  /** When the store cannot be read, a record read within this long still answers. 0 fails closed. Default 60,000 ms. */
  staleIfErrorMs?: number;
  /** lastUsedAt is written at most once per this period per key and instance. Default 60,000 ms. */
  lastUsedEveryMs?: number;
  /** Most records held for verification. Default 10,000. */
  maxCachedKeys?: number;
  onEvent?: EventHook;
  /** Clock for createdAt, lastUsedAt and revokedAt. Default Date.now. */
  now?: () => number;
}

/** A key given in full by an operator, created or refreshed by `install`. */
export interface InstallApiKeyInput {
  key: string;
  tenant: string;
  role: ApiKeyRole;
  name: string;
}

export interface ApiKeyStore {
  /** Issues a key; the full key string is in the result only, never stored. */
  create(input: CreateApiKeyInput): Promise<IssuedApiKey>;
  get(id: string): Promise<ApiKey | undefined>;
  list(query?: ListApiKeysQuery): Promise<ApiKeyPage>;
  /** Revokes a key (idempotent: the first revokedAt stays). */
  revoke(id: string): Promise<ApiKey>;
  /** A new secret for the key; the old one stops working (on other instances within verifyCacheMs). */
  rotate(id: string): Promise<IssuedApiKey>;
  update(id: string, changes: ApiKeyChanges): Promise<ApiKey>;
  /** Creates or refreshes a key whose full string an operator chose (bootstrap); idempotent. */
  install(input: InstallApiKeyInput): Promise<ApiKey>;
  /**
   * The key's record, or UNAUTHENTICATED with one message for every failure (missing,
   * malformed, unknown, wrong secret, revoked); `details.reason` says which, for logs.
   * UPSTREAM_UNAVAILABLE when the store cannot be read and no recent record is cached.
   */
  verify(token: string | undefined | null): Promise<ApiKey>;
  health(): Health;
  /** Waits for background lastUsedAt writes, then closes an owned connection. */
  close(): Promise<void>;
}

/** The API key store: Redis when `redis` is given, else a JSON file under `dataDir`, else memory. */
export function createApiKeyStore(options: ApiKeyStoreOptions = {}): ApiKeyStore {
  const backend = backendFor(options);
  const now = options.now ?? Date.now;
  const verifyCacheMs = positiveOption({
    value: options.verifyCacheMs,
    fallback: 2_000,
    field: "verifyCacheMs",
    allowZero: true,
  });
  const staleIfErrorMs = positiveOption({
    value: options.staleIfErrorMs,
    fallback: 60_000,
    field: "staleIfErrorMs",
    allowZero: true,
  });
  const maxCachedKeys = positiveOption({ value: options.maxCachedKeys, fallback: 10_000, field: "maxCachedKeys" });
  const verifier = createKeyVerifier({
    backend,
    verifyCacheMs,
    staleIfErrorMs,
    lastUsedEveryMs: positiveOption({ value: options.lastUsedEveryMs, fallback: 60_000, field: "lastUsedEveryMs" }),
    maxCachedKeys,
    onEvent: options.onEvent,
    now,
  });
  const iso = () => new Date(now()).toISOString();

  const existing = async (id: string): Promise<StoredApiKey> => {
    const record = isKeyId(id) ? await storeCall("read", () => backend.read(id)) : undefined;
    if (!record) throw unknownKey();
    return record;
  };

  const patch = async (id: string, changes: KeyPatch): Promise<StoredApiKey> => {
    const record = await storeCall("patch", () => backend.patch(id, changes));
    verifier.forget(id);
    if (!record) throw unknownKey();
    return record;
  };

  return {
    async create(input) {
      const base = {
        tenant: checkTenant(input?.tenant),
        role: checkRole(input.role),
        name: checkName(input.name),
        allowedModels: checkAllowedModels(input.allowedModels),
        limits: checkRateLimits(input.limits),
        budget: checkBudgetLimits(input.budget),
      };
      // A 62-bit id collides practically never; a collision is retried, never overwritten.
      for (let attempt = 0; attempt < 3; attempt++) {
        const parsed = { id: generateKeyId(), secret: generateSecret() };
        const record = withoutUndefined({ id: parsed.id, ...base, createdAt: iso(), secretHash: hashSecret(parsed) });
        if (await storeCall("insert", () => backend.insert(record))) {
          return { key: formatApiKey(parsed), record: publicView(record) };
        }
      }
      throw new KeelError("INTERNAL", "could not allocate an API key id");
    },
    async get(id) {
      if (!isKeyId(id)) return undefined;
      const record = await storeCall("read", () => backend.read(id));
      return record && publicView(record);
    },
    async list(query = {}) {
      const limit = optionalInteger(query.limit, "limit") ?? 50;
      if (limit > 500) throw new KeelError("BAD_REQUEST", "limit must be at most 500", { details: { field: "limit" } });
      if (query.cursor !== undefined && !SORT_KEY_PATTERN.test(query.cursor)) {
        throw new KeelError("BAD_REQUEST", "cursor is not one this store returned", { details: { field: "cursor" } });
      }
      const tenant = query.tenant === undefined ? undefined : checkTenant(query.tenant);
      const page = await storeCall("list", () => backend.list({ tenant, limit, after: query.cursor }));
      return { keys: page.records.map(publicView), ...(page.last ? { nextCursor: page.last } : {}) };
    },
    async revoke(id) {
      const record = await existing(id);
      if (record.revokedAt) return publicView(record);
      return publicView(await patch(id, { revokedAt: iso() }));
    },
    async rotate(id) {
      const record = await existing(id);
      if (record.revokedAt) {
        throw new KeelError("BAD_REQUEST", "a revoked API key cannot be rotated", {
          details: { reason: "revoked-key" },
        });
      }
      const parsed = { id, secret: generateSecret() };
      const updated = await patch(id, { secretHash: hashSecret(parsed) });
      return { key: formatApiKey(parsed), record: publicView(updated) };
    },
    async update(id, changes) {
      await existing(id);
      const checked: KeyPatch = {};
      if (changes.name !== undefined) checked.name = checkName(changes.name);
      if (changes.role !== undefined) checked.role = checkRole(changes.role);
      if (changes.allowedModels !== undefined)
        checked.allowedModels = checkAllowedModels(changes.allowedModels) ?? null;
      if (changes.limits !== undefined) checked.limits = checkRateLimits(changes.limits) ?? null;
      if (changes.budget !== undefined) checked.budget = checkBudgetLimits(changes.budget) ?? null;
      return publicView(await patch(id, checked));
    },
    async install(input) {
      const parsed = parseApiKey(input?.key);
      // The message never echoes the key: it is a secret even when malformed.
      if (!parsed)
        throw new KeelError("BAD_REQUEST", "key must look like keel_<id>_<secret>", { details: { field: "key" } });
      const tenant = checkTenant(input.tenant);
      const fields = { role: checkRole(input.role), name: checkName(input.name), secretHash: hashSecret(parsed) };
      const found = await storeCall("read", () => backend.read(parsed.id));
      if (!found) {
        const record = { id: parsed.id, tenant, ...fields, createdAt: iso() };
        if (await storeCall("insert", () => backend.insert(record))) return publicView(record);
      } else if (found.tenant !== tenant) {
        throw new KeelError("BAD_REQUEST", "this key id belongs to another tenant", { details: { field: "tenant" } });
      }
      return publicView(await patch(parsed.id, { ...fields, revokedAt: null }));
    },
    verify: (token) => verifier.verify(token),
    health: () => backend.health(),
    async close() {
      await verifier.drain();
      await backend.close();
    },
  };
}

function backendFor(options: ApiKeyStoreOptions): KeyBackend {
  if (options.redis) return createRedisKeyBackend(connectRedis(options.redis));
  if (options.dataDir !== undefined) return createFileKeyBackend({ dataDir: options.dataDir });
  return createMemoryKeyBackend();
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
