import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@keel/testkit";
import type { ServiceKind } from "./service-client.ts";

/** A config as a JSON file in a fresh directory, for KEEL_CONFIG. */
export function writeConfigFile(config: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), "keel-governance-config-")), "keel.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The environment a child process gets: the test runner's, without Keel's, OpenAI's or Redis settings. */
export function cleanEnvironment(): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(KEEL_|OPENAI_|REDIS_URL$|VITEST|NODE_OPTIONS$|npm_)/.test(name)) base[name] = value;
  }
  return base;
}

/** The repository root, where the services' main files are. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export interface ServiceProcess {
  readonly kind: ServiceKind;
  readonly origin: string;
  /** Everything the process printed so far (its log lines go to stdout). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A service in its own process, started as an operator would (`apps/<kind>/src/main.ts`),
 * reading the config file and the environment: REDIS_URL, KEEL_BOOTSTRAP_ADMIN_KEY, its
 * port. Output captured; the process is stopped with SIGTERM.
 */
export async function startServiceProcess(options: {
  kind: ServiceKind;
  /** A config file (see writeConfigFile); the CLI can read the same one. */
  configFile: string;
  env: Record<string, string>;
}): Promise<ServiceProcess> {
  const directory = mkdtempSync(join(tmpdir(), "keel-governance-process-"));
  const configFile = options.configFile;
  const port = await freePort();
  const portVariable = options.kind === "trpc" ? "KEEL_TRPC_PORT" : "KEEL_GRAPHQL_PORT";
  const base = cleanEnvironment();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", `apps/${options.kind}/src/main.ts`], {
    cwd: REPO_ROOT,
    env: { ...base, KEEL_CONFIG: configFile, KEEL_DATA_DIR: directory, [portVariable]: String(port), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const origin = `http://127.0.0.1:${port}`;
  // tsx compiles the service on its first start: on a busy shared machine that alone took 23 s.
  const until = Date.now() + 90_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`the ${options.kind} process exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`${origin}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > until) throw new Error(`the ${options.kind} process did not answer within 90 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    kind: options.kind,
    origin,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
