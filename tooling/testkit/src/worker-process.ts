import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const workerApp = fileURLToPath(new URL("../../../apps/worker/", import.meta.url));

export interface WorkerProcessOptions {
  /** The worker's Keel config (written to a JSON file it reads through KEEL_CONFIG). */
  config: Record<string, unknown>;
  /** More environment variables (the caller's KEEL_*, OPENAI_* and REDIS_URL never leak in). */
  env?: Record<string, string>;
}

export interface WorkerProcessHandle {
  readonly child: ChildProcess;
  /** "http://127.0.0.1:PORT": the worker's /healthz, /readyz and /metrics. */
  readonly origin: string;
  stdout(): string;
  /** Its JSON log lines so far. */
  logLines(): Array<Record<string, unknown>>;
  /** Resolves once a log line matches. */
  waitForLine(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** SIGKILL, as a crash would: no cleanup, no hand-back. */
  kill(): Promise<void>;
  /** SIGTERM: running jobs finish within the grace; resolves with how it exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the real `apps/worker` (its src/main.ts under node --import tsx, no pnpm or tsx CLI in
 * between, so a SIGKILL hits the worker itself) with `config`, and waits for its start line.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcessHandle> {
  const configFile = join(mkdtempSync(join(tmpdir(), "keel-worker-")), "keel.json");
  writeFileSync(configFile, JSON.stringify(options.config));
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(KEEL_|OPENAI_|REDIS_URL$|NODE_OPTIONS$|VITEST)/.test(name)) continue;
    base[name] = value;
  }
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workerApp,
    env: { ...base, NO_COLOR: "1", KEEL_CONFIG: configFile, KEEL_WORKER_PORT: "0", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    notify();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    notify();
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => {
      done = true;
      notify();
      resolve({ code, signal });
    });
  });
  const logLines = () =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const waitFor = <T>(check: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const found = check();
        if (found !== undefined) {
          cleanup();
          resolve(found);
        } else if (done) {
          cleanup();
          reject(new Error(`the worker exited before ${what}:\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${what} within ${timeoutMs} ms:\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(attempt);
      };
      waiters.add(attempt);
      attempt();
    });

  const started = await waitFor(
    () => /metrics at (http:\/\/\S+)\/metrics/.exec(stdout)?.[1],
    "the start line",
    // node --import tsx loads the whole pipeline: over 30 s on a loaded 2-core machine (seen).
    90_000,
  ).catch(async (error: unknown) => {
    if (!done) child.kill("SIGKILL");
    throw error;
  });
  return {
    child,
    origin: started,
    stdout: () => stdout,
    logLines,
    waitForLine: (predicate, timeoutMs = 15_000) =>
      waitFor(() => logLines().find(predicate), "a matching log line", timeoutMs),
    async kill() {
      if (!done) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (!done) child.kill("SIGTERM");
      return exited;
    },
    exited,
  };
}
