import { createKeyAdmin, requireRole, type ApiKeyView, type ApiKeyViewPage, type IssuedKey } from "@keel/core";
import type { GraphqlContext } from "../context.ts";
import { withoutNulls } from "./caller-input.ts";

/**
 * The admin operations on API keys (role admin): core's key administration, with the
 * same input checks and BAD_REQUESTs as the tRPC service and the CLI. An explicit null in
 * an update removes a setting; a field left out keeps it.
 */
const admin = (context: GraphqlContext) => {
  requireRole(context.principal, "admin");
  return createKeyAdmin(context.pipeline.governance.keys);
};

export const apiKeyQueries = {
  apiKeys(
    _parent: unknown,
    args: { tenant?: string | null; limit?: number | null; cursor?: string | null },
    context: GraphqlContext,
  ): Promise<ApiKeyViewPage> {
    return admin(context).list(withoutNulls(args));
  },
};

export const apiKeyMutations = {
  createApiKey(
    _parent: unknown,
    args: { input: Record<string, unknown> },
    context: GraphqlContext,
  ): Promise<IssuedKey> {
    return admin(context).create(withoutNulls(args.input));
  },
  revokeApiKey(_parent: unknown, args: { id: string }, context: GraphqlContext): Promise<ApiKeyView> {
    return admin(context).revoke({ id: args.id });
  },
  rotateApiKey(_parent: unknown, args: { id: string }, context: GraphqlContext): Promise<IssuedKey> {
    return admin(context).rotate({ id: args.id });
  },
  updateApiKey(
    _parent: unknown,
    args: { input: Record<string, unknown> },
    context: GraphqlContext,
  ): Promise<ApiKeyView> {
    // Top-level nulls of the settings are kept (they remove one); nulls inside them are "not set".
    const input: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(args.input)) {
      if (value === undefined || (value === null && (field === "name" || field === "role"))) continue;
      input[field] =
        value !== null && typeof value === "object" && !Array.isArray(value)
          ? withoutNulls(value as Record<string, unknown>)
          : value;
    }
    return admin(context).update(input);
  },
};
