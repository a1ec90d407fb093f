import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export interface NodeProcessOptions {
  /** A label for messages and reports. */
  name: string;
  /** The entry point, relative to `cwd`: TypeScript runs under tsx, `.js`/`.mjs` on plain node. */
  entry: string;
  args?: string[];
  /** Node's own flags (`--cpu-prof`, `--trace-gc`, ...), before the entry. */
  nodeArgs?: string[];
  /**
   * Pins the process to this CPU (`taskset -c`), when `taskset` exists here; otherwise it
   * runs unpinned (`pinned` says which).
   */
  cpu?: number;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Where the process runs (a repository root, say). */
  cwd: string;
  /** Started once a GET of this URL answers 2xx. */
  readyUrl: string;
  /** How long to wait for `readyUrl`; default 20 s. */
  readyTimeoutMs?: number;
}

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The CPU the process is pinned to, if it is. */
  readonly pinned: number | undefined;
  /** Peak resident set size so far, in MiB (VmHWM from /proc; 0 where there is none). */
  peakRssMiB(): number;
  /** SIGTERM, then SIGKILL after 5 s; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript entry point in a Node process of its own (`node --import tsx`, no
 * tsx wrapper process, so its RSS and CPU time are its own) and waits until it answers.
 * Its stderr is passed through, so a failed start says why.
 */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const loader = /\.m?js$/.test(options.entry) ? [] : ["--import", "tsx"];
  const nodeCommand = [
    process.execPath,
    ...(options.nodeArgs ?? []),
    ...loader,
    options.entry,
    ...(options.args ?? []),
  ];
  // taskset execs node, so the child's pid is node's own (its /proc figures are node's).
  const pinned = options.cpu !== undefined && hasTaskset() ? options.cpu : undefined;
  const command = pinned === undefined ? nodeCommand : ["taskset", "-c", String(pinned), ...nodeCommand];
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForHttp({ url: options.readyUrl, timeoutMs: options.readyTimeoutMs ?? 20_000, child });
  return {
    name: options.name,
    child,
    pinned,
    peakRssMiB: () => readPeakRss(child.pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

let tasksetFound: boolean | undefined;

/** Whether `taskset` (util-linux) can be run here; asked once. */
export function hasTaskset(): boolean {
  tasksetFound ??= spawnSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" }).status === 0;
  return tasksetFound;
}

function readPeakRss(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function waitForHttp(options: { url: string; timeoutMs: number; child: ChildProcess }): Promise<void> {
  const { url, child } = options;
  const until = Date.now() + options.timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`${url} did not answer within ${options.timeoutMs} ms`);
}
