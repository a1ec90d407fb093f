import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root, where `pnpm start` runs. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** A command run as a user runs it in a terminal: its own process group, output captured. */
export interface UserProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches, or rejects with everything printed so far. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** A terminal's Ctrl-C: SIGINT to the whole process group (pnpm and what it started). */
  interrupt(): void;
  /** SIGTERM to pnpm alone, as a process manager sends it. */
  terminate(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the whole group if it is still running (test cleanup). */
  kill(): Promise<void>;
}

/**
 * Runs `pnpm <args>` in the repository with a clean environment: none of the caller's
 * KEEL_*, OPENAI_* or REDIS_URL settings leak in, only `env`.
 */
export function runPnpm(args: string[], env: Record<string, string> = {}): UserProcess {
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(KEEL_|OPENAI_|REDIS_URL$|npm_|PNPM_|VITEST|NODE_OPTIONS$)/.test(name)) continue;
    base[name] = value;
  }
  const child = spawn("pnpm", args, {
    cwd: REPO_ROOT,
    env: { ...base, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
    detached: true,
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => {
      notify();
      resolve({ code, signal });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const group = (signal: NodeJS.Signals) => {
    if (child.pid !== undefined && !done) process.kill(-child.pid, signal);
  };
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout) ?? pattern.exec(stderr);
          if (match) {
            cleanup();
            resolve(match);
          } else if (done) {
            cleanup();
            reject(new Error(`exited before printing ${pattern}:\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    interrupt: () => group("SIGINT"),
    terminate: () => {
      if (!done) child.kill("SIGTERM");
    },
    exited,
    async kill() {
      if (done) return;
      group("SIGKILL");
      await exited;
    },
  };
}

/** Lines of a process's output that are not JSON log lines and not blank. */
export function plainLines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("{"));
}

/** The JSON log lines of a process's output. */
export function logLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
