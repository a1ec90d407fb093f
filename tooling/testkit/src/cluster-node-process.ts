import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { reapOnExit } from "./child-reaper.ts";
import { redisServerBinary } from "./redis-binary.ts";
import { respCommand } from "./resp-command.ts";

/** One redis-server of a cluster: its ports, its directory (nodes.conf, log) and its process. */
export interface ClusterNodeProcess {
  readonly port: number;
  readonly busPort: number;
  readonly running: boolean;
  /** Starts it (again: a restarted node reads its nodes.conf and rejoins). */
  start(): Promise<void>;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
}

export interface ClusterNodeSettings {
  port: number;
  busPort: number;
  /** The cluster's directory; the node keeps its files in `<directory>/<port>`. */
  directory: string;
  nodeTimeoutMs: number;
  startTimeoutMs: number;
}

/**
 * A cluster-enabled redis-server on loopback with persistence off. The bus port is given
 * explicitly (`--cluster-port`): the default, port + 10000, may be taken or out of range.
 * `cluster-replica-validity-factor 0` lets a replica take over however long it has been
 * apart from its master (the default refused a failover in a short-lived test cluster), and
 * `repl-diskless-sync-delay 0` starts a replica's first sync at once instead of after 5 s.
 */
export function clusterNodeProcess(settings: ClusterNodeSettings): ClusterNodeProcess {
  const directory = join(settings.directory, String(settings.port));
  mkdirSync(directory, { recursive: true });
  const logFile = join(directory, "redis.log");
  let child: ChildProcess | undefined;

  const args = [
    "--port",
    String(settings.port),
    "--cluster-port",
    String(settings.busPort),
    "--bind",
    "127.0.0.1",
    "--dir",
    directory,
    "--logfile",
    logFile,
    "--cluster-enabled",
    "yes",
    "--cluster-config-file",
    "nodes.conf",
    "--cluster-node-timeout",
    String(settings.nodeTimeoutMs),
    "--cluster-replica-validity-factor",
    "0",
    "--repl-diskless-sync-delay",
    "0",
    "--save",
    "",
    "--appendonly",
    "no",
  ];

  const logTail = (lines = 8) => {
    try {
      return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  };

  return {
    port: settings.port,
    busPort: settings.busPort,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      const started = spawn(redisServerBinary, args, { stdio: ["ignore", "ignore", "pipe"] });
      child = started;
      reapOnExit(started);
      let stderr = "";
      started.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<never>((_, reject) =>
        started.once("exit", (code, signal) =>
          reject(
            new Error(
              `redis-server on port ${settings.port} exited at start (${signal ?? `code ${code}`}): ${stderr.trim() || logTail()}`,
            ),
          ),
        ),
      );
      exited.catch(() => {});
      await Promise.race([exited, answersPing(settings.port, settings.startTimeoutMs)]);
    },
    async kill() {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const gone = new Promise((resolve) => current.once("exit", resolve));
      current.kill("SIGKILL");
      await gone;
    },
    logTail,
  };
}

async function answersPing(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      if ((await respCommand(port, ["PING"], 500)) === "PONG") return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `redis-server on port ${port} did not answer PING within ${timeoutMs} ms (${lastError instanceof Error ? lastError.message : "no reply"})`,
  );
}
