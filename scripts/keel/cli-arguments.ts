import { parseArgs } from "node:util";

/** A usage mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const USAGE = `Usage: pnpm keel keys <command> [options]

  keys create --tenant <name> --role <caller|reviewer|admin> [--name <text>] [limits]
                 prints the new key once; store it then, it is never shown again
  keys list [--tenant <name>] [--limit <n>] [--cursor <c>]
  keys revoke <id>
  keys rotate <id>          a new secret for the key; the old one stops working
  keys limits <id> [limits] [--name <text>] [--role <role>]
                 changes a key; "none" removes a limit (--rpm none), --models all allows every model
  keys generate             prints a fresh key string, for KEEL_BOOTSTRAP_ADMIN_KEY

Limits: --rpm <n> --tpm <n> --concurrency <n> --daily-usd <usd> --monthly-usd <usd> --models <a,b,...>
Every command takes --json. The keys are where the services keep them: in Redis when
REDIS_URL is set, else in <dataDir>/api-keys.json (KEEL_DATA_DIR, default .keel); KEEL_CONFIG
names the config file, as for pnpm start.`;

const OPTIONS = {
  tenant: { type: "string" },
  role: { type: "string" },
  name: { type: "string" },
  models: { type: "string" },
  rpm: { type: "string" },
  tpm: { type: "string" },
  concurrency: { type: "string" },
  "daily-usd": { type: "string" },
  "monthly-usd": { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export interface CliArguments {
  command: string | undefined;
  id: string | undefined;
  values: Partial<Record<keyof typeof OPTIONS, string | boolean>>;
}

/** `keys <command> [id] --option value ...`; an unknown option or a stray word is a UsageError. */
export function parseCliArguments(argv: string[]): CliArguments {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [group, command, id, ...rest] = parsed.positionals;
  if (parsed.values.help === true || group === undefined) return { command: "help", id: undefined, values: {} };
  if (group !== "keys") throw new UsageError(`unknown command "${group}"; the commands are under "keys"`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  return { command, id, values: parsed.values };
}

/** A whole number option, "none" (null: remove the setting), or absent. */
export function countOption(values: CliArguments["values"], name: string): number | null | undefined {
  const raw = values[name as keyof CliArguments["values"]];
  if (raw === undefined) return undefined;
  if (raw === "none") return null;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new UsageError(`--${name} expects a positive whole number or "none", received "${String(raw)}"`);
  return value;
}

/** An amount in USD, "none", or absent. */
export function usdOption(values: CliArguments["values"], name: string): number | null | undefined {
  const raw = values[name as keyof CliArguments["values"]];
  if (raw === undefined) return undefined;
  if (raw === "none") return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} expects an amount in USD above 0 or "none", received "${String(raw)}"`);
  return value;
}
