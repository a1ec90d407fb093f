/**
 * `pnpm keel keys ...`: the operator's API key commands, on the same key store the
 * services use (Redis when REDIS_URL is set, else <dataDir>/api-keys.json), read from the
 * same config (KEEL_CONFIG and the environment). `pnpm keel --help` lists the commands.
 */
import { createKeyStore, loadConfig, startFailure } from "@keel/core";
import { generateApiKey } from "@keel/governance";
import { KeelError } from "@keel/spec";
import { parseCliArguments, USAGE, UsageError } from "./keel/cli-arguments.ts";
import { runKeyCommand } from "./keel/key-commands.ts";

process.exitCode = await main(process.argv.slice(2));

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseCliArguments(argv);
    if (args.command === "help") {
      console.log(USAGE);
      return 0;
    }
    if (args.command === "generate") {
      const key = generateApiKey();
      console.log(args.values.json === true ? JSON.stringify({ key }) : key);
      return 0;
    }
    const config = loadConfig(process.env);
    const keys = createKeyStore(config);
    try {
      await connected(keys);
      const output = await runKeyCommand({ args, keys, config });
      console.log(args.values.json === true ? JSON.stringify(output.json, null, 2) : output.text);
      return 0;
    } finally {
      await keys.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`keel: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    // A refused input or an unreachable store says what went wrong; never a stack or a secret.
    console.error(`keel: ${KeelError.isInstance(error) ? error.message : startFailure(error)}`);
    return 1;
  }
}

/** An owned Redis connection fails fast until it is up: wait for it (3 s) before the first command. */
async function connected(keys: { health(): { ok: boolean } }): Promise<void> {
  const until = Date.now() + 3_000;
  while (!keys.health().ok && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
}
