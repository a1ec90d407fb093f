/**
 * Runs the simulator as a process: `pnpm --filter @keel/simulator start -- --port 4100`.
 * The one place in this package that reads the environment (KEEL_SIMULATOR_PORT, KEEL_HOST).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSimulator } from "./server.ts";
import type { SimulatorOptions, SimulatorRule } from "./types.ts";

const USAGE = `Usage: keel-simulator [--port N] [--host H] [--rules file.json] [--ttft MS] [--per-token MS] [--seed N] [--control-api]
  --port       port to listen on (default $KEEL_SIMULATOR_PORT or 4100; 0 = a free port)
  --host       address to bind (default $KEEL_HOST or 127.0.0.1)
  --rules      a JSON file: an array of rules, or { "rules": [...] }
  --ttft       time to first token for every model, in ms (default 0)
  --per-token  delay per completion token, in ms (default 0)
  --seed       seed of the generator behind rules' probability (default 1)
  --control-api  serve /_sim even when bound to a non-loopback address (default: loopback only)`;

function readOptions(): SimulatorOptions {
  // `pnpm start -- --port 1` passes the `--` on; it is not an argument of ours.
  const args = process.argv.slice(2);
  if (args[0] === "--") args.shift();
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      rules: { type: "string" },
      ttft: { type: "string" },
      "per-token": { type: "string" },
      seed: { type: "string" },
      "control-api": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    port: toNumber("--port", values.port ?? process.env.KEEL_SIMULATOR_PORT ?? "4100"),
    host: values.host ?? process.env.KEEL_HOST ?? "127.0.0.1",
    rules: values.rules === undefined ? [] : readRules(values.rules),
    latency: {
      ttftMs: toNumber("--ttft", values.ttft ?? "0"),
      perTokenMs: toNumber("--per-token", values["per-token"] ?? "0"),
    },
    ...(values.seed === undefined ? {} : { seed: toInteger("--seed", values.seed) }),
    ...(values["control-api"] === true ? { controlApi: true } : {}),
  };
}

function toNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0)
    fail(`${flag} must be a non-negative number, got "${text}"`);
  return value;
}

function toInteger(flag: string, text: string): number {
  const value = toNumber(flag, text);
  if (!Number.isSafeInteger(value)) fail(`${flag} must be an integer, got "${text}"`);
  return value;
}

function readRules(file: string): SimulatorRule[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return (Array.isArray(parsed) ? parsed : (parsed as { rules?: unknown } | null)?.rules) as SimulatorRule[];
  } catch (error) {
    return fail(`cannot read rules from ${file}: ${(error as Error).message}`);
  }
}

function fail(message: string): never {
  console.error(`keel-simulator: ${message}\n${USAGE}`);
  process.exit(2);
}

try {
  const simulator = await startSimulator(readOptions());
  let stopping = false;
  // Idempotent, and kept installed: under pnpm a terminal's Ctrl-C arrives twice (pnpm
  // forwards it to the process group that already got it), and a second SIGINT with no
  // handler would kill the process with code 130.
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: the simulator is stopping`);
    void simulator.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // Printed once the handlers are in place: whoever waits for this line may signal at once.
  console.log(`Keel simulator listening on ${simulator.url}`);
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (code === "EADDRINUSE") {
    console.error(
      "keel-simulator: the port is already in use (is Keel or another simulator running?); choose another with --port or KEEL_SIMULATOR_PORT",
    );
    process.exit(1);
  }
  fail((error as Error).message);
}
