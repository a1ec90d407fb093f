import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("../..", import.meta.url));
const script = fileURLToPath(new URL("./worker-process.ts", import.meta.url));

export interface WorkerProcessSettings {
  url: string;
  name: string;
  label: string;
  workMs: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Kills it abruptly, as a crash would, and waits for it to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful close) and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts worker-process.ts in its own Node process (no tsx wrapper, so a SIGKILL hits the worker itself). */
export async function startWorkerProcess(settings: WorkerProcessSettings): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(settings)], {
    cwd: packageRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${settings.label} not ready in 15 s: ${output}`)), 15_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${settings.label} exited early (${code}): ${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    child,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
