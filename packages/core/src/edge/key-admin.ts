import { API_KEY_ROLES, type ApiKey, type ApiKeyPage, type ApiKeyStore } from "@keel/governance";
import { z } from "zod";
import { budgetLimitsSchema, rateLimitsSchema } from "../config/governance-schema.ts";
import { parseWith } from "../request/parse-request.ts";

/**
 * The API key operations both services' admin APIs and the operator CLI perform, with one
 * set of input schemas, so a bad input is the same BAD_REQUEST naming the same field
 * everywhere. Names, tenants and limits are checked again by the key store.
 */
const allowedModels = z.array(z.string().min(1)).min(1);

export const createKeyInputSchema = z.strictObject({
  tenant: z.string(),
  role: z.enum(API_KEY_ROLES),
  name: z.string(),
  /** Route (model) names the key may call; absent: all. */
  allowedModels: allowedModels.optional(),
  limits: rateLimitsSchema.optional(),
  budget: budgetLimitsSchema.optional(),
});

export const keyIdInputSchema = z.strictObject({ id: z.string().min(1) });

export const listKeysInputSchema = z.strictObject({
  /** Only this tenant's keys; all tenants when absent. */
  tenant: z.string().optional(),
  limit: z.number().int().min(1).max(500).optional(),
  /** `nextCursor` of the previous page. */
  cursor: z.string().optional(),
});

/** A change to a key; null removes a setting (all models, no own limits, no own budget). */
export const updateKeyInputSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  role: z.enum(API_KEY_ROLES).optional(),
  allowedModels: allowedModels.nullable().optional(),
  limits: rateLimitsSchema.nullable().optional(),
  budget: budgetLimitsSchema.nullable().optional(),
});

export type CreateKeyInput = z.input<typeof createKeyInputSchema>;
export type UpdateKeyInput = z.input<typeof updateKeyInputSchema>;
export type ListKeysInput = z.input<typeof listKeysInputSchema>;

/**
 * A key record as the admin operations answer: every field present, null where a setting
 * or time is not set, so tRPC's JSON and GraphQL's typed fields show the same record.
 */
export type ApiKeyView = Omit<ApiKey, OptionalKeyField> & { [Field in OptionalKeyField]-?: ApiKey[Field] | null };
type OptionalKeyField = "allowedModels" | "limits" | "budget" | "lastUsedAt" | "revokedAt";

/** A page of key records, newest first. */
export interface ApiKeyViewPage {
  keys: ApiKeyView[];
  nextCursor?: string;
}

/** A key as issued: the full secret string, shown this once, and its record. */
export interface IssuedKey {
  id: string;
  key: string;
  record: ApiKeyView;
}

export interface KeyAdmin {
  create(input: unknown): Promise<IssuedKey>;
  list(input: unknown): Promise<ApiKeyViewPage>;
  revoke(input: unknown): Promise<ApiKeyView>;
  /** A new secret; the old one stops working on every instance within auth.verifyCacheMs. */
  rotate(input: unknown): Promise<IssuedKey>;
  update(input: unknown): Promise<ApiKeyView>;
}

export function createKeyAdmin(keys: ApiKeyStore): KeyAdmin {
  return {
    async create(input) {
      const { key, record } = await keys.create(withoutUndefined(parseWith(createKeyInputSchema, input)));
      return { id: record.id, key, record: keyView(record) };
    },
    async list(input) {
      const page: ApiKeyPage = await keys.list(withoutUndefined(parseWith(listKeysInputSchema, input ?? {})));
      return { ...page, keys: page.keys.map(keyView) };
    },
    async revoke(input) {
      return keyView(await keys.revoke(parseWith(keyIdInputSchema, input).id));
    },
    async rotate(input) {
      const { key, record } = await keys.rotate(parseWith(keyIdInputSchema, input).id);
      return { id: record.id, key, record: keyView(record) };
    },
    async update(input) {
      const { id, ...changes } = parseWith(updateKeyInputSchema, input);
      return keyView(await keys.update(id, withoutUndefined(changes)));
    },
  };
}

/** The record with every field present (null where unset). */
export function keyView(record: ApiKey): ApiKeyView {
  return {
    ...record,
    allowedModels: record.allowedModels ?? null,
    limits: record.limits ?? null,
    budget: record.budget ?? null,
    lastUsedAt: record.lastUsedAt ?? null,
    revokedAt: record.revokedAt ?? null,
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
