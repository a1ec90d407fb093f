import { createKeyAdmin, type ApiKeyView, type KeelConfig } from "@keel/core";
import type { ApiKey, ApiKeyStore } from "@keel/governance";
import { type CliArguments, countOption, UsageError, usdOption } from "./cli-arguments.ts";

/** What a command prints: a JSON value with --json, else lines for a person. */
export interface CommandOutput {
  json: unknown;
  text: string;
}

/** Runs one `keys` command against the store the services use. */
export async function runKeyCommand(options: {
  args: CliArguments;
  keys: ApiKeyStore;
  config: KeelConfig;
}): Promise<CommandOutput> {
  const { args, keys } = options;
  const admin = createKeyAdmin(keys);
  const values = args.values;
  switch (args.command) {
    case "create": {
      if (values.tenant === undefined || values.role === undefined)
        throw new UsageError("keys create needs --tenant and --role");
      const issued = await admin.create({
        tenant: values.tenant,
        role: values.role,
        name:
          typeof values.name === "string"
            ? values.name
            : `created with pnpm keel on ${new Date().toISOString().slice(0, 10)}`,
        ...withoutNulls(settingsOf(values, undefined)),
      });
      return {
        json: issued,
        text: `${describe(issued.record)}\n\n${issued.key}\n\nStore the key now: only its hash is kept, and it is not shown again.`,
      };
    }
    case "list": {
      const page = await admin.list({
        ...(typeof values.tenant === "string" ? { tenant: values.tenant } : {}),
        ...(values.limit === undefined ? {} : { limit: countOption(values, "limit") ?? undefined }),
        ...(typeof values.cursor === "string" ? { cursor: values.cursor } : {}),
      });
      const lines = page.keys.map(describe);
      if (page.nextCursor) lines.push(`(more: --cursor ${page.nextCursor})`);
      return { json: page, text: lines.length > 0 ? lines.join("\n") : "no keys" };
    }
    case "revoke": {
      const record = await admin.revoke({ id: requireId(args) });
      return { json: record, text: `revoked: ${describe(record)}` };
    }
    case "rotate": {
      const issued = await admin.rotate({ id: requireId(args) });
      return {
        json: issued,
        text: `${describe(issued.record)}\n\n${issued.key}\n\nThe old secret stops working within seconds on every instance.`,
      };
    }
    case "limits": {
      const id = requireId(args);
      // Options change only the settings they name: the others keep their values.
      const changes = settingsOf(values, await keys.get(id));
      const record = await admin.update({
        id,
        ...changes,
        ...(typeof values.name === "string" ? { name: values.name } : {}),
        ...(typeof values.role === "string" ? { role: values.role } : {}),
      });
      return { json: record, text: describe(record) };
    }
    default:
      throw new UsageError(`unknown keys command "${args.command ?? ""}"`);
  }
}

function requireId(args: CliArguments): string {
  if (args.id === undefined) throw new UsageError(`keys ${args.command} needs the key's id`);
  return args.id;
}

/**
 * Limits, budget and allowed models from the options, over the key's current settings: a
 * value sets a field, "none" removes it, an option not given keeps it. A section left
 * empty is null (removed); "--models all" allows every model.
 */
function settingsOf(values: CliArguments["values"], current: ApiKey | undefined) {
  const limits = merged(current?.limits, {
    requestsPerMinute: countOption(values, "rpm"),
    tokensPerMinute: countOption(values, "tpm"),
    concurrency: countOption(values, "concurrency"),
  });
  const budget = merged(current?.budget, {
    dailyUsd: usdOption(values, "daily-usd"),
    monthlyUsd: usdOption(values, "monthly-usd"),
  });
  const models = typeof values.models === "string" ? values.models : undefined;
  return {
    ...(limits === undefined ? {} : { limits }),
    ...(budget === undefined ? {} : { budget }),
    ...(models === undefined
      ? {}
      : { allowedModels: models === "all" ? null : models.split(",").map((model) => model.trim()) }),
  };
}

/** The section after the changes given; undefined when no option named one of its fields. */
function merged(
  current: object | undefined,
  changes: Record<string, number | null | undefined>,
): Record<string, number> | null | undefined {
  const given = Object.entries(changes).filter(([, value]) => value !== undefined);
  if (given.length === 0) return undefined;
  const next: Record<string, number> = { ...(current as Record<string, number> | undefined) };
  for (const [field, value] of given) {
    if (value === null) delete next[field];
    else next[field] = value as number;
  }
  return Object.keys(next).length === 0 ? null : next;
}

function withoutNulls<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== null)) as Partial<T>;
}

/** One line per key: id, tenant, role, name, settings and state. Never the secret. */
function describe(key: ApiKeyView): string {
  const parts = [`${key.id}  tenant ${JSON.stringify(key.tenant)}  ${key.role}  ${JSON.stringify(key.name)}`];
  if (key.allowedModels) parts.push(`models ${key.allowedModels.join(",")}`);
  if (key.limits) parts.push(`limits ${JSON.stringify(key.limits)}`);
  if (key.budget) parts.push(`budget ${JSON.stringify(key.budget)}`);
  parts.push(key.revokedAt ? `revoked ${key.revokedAt}` : `created ${key.createdAt}`);
  return parts.join("  ");
}
