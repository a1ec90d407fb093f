import { ConfigError } from "../config/config-error.ts";
import { installProcessGuards } from "./process-faults.ts";
import { StartupError } from "./startup-error.ts";

/** What a started process hands back: how to stop it, and how long stopping may take. */
export interface RunningKeel {
  /** Stops accepting, drains in-flight work, closes pipelines and servers. */
  stop(): Promise<void>;
  /** The shutdown grace, for the one line printed when a stop begins. */
  graceMs: number;
}

/** Where runMain writes and how it ends the process; the defaults are the real ones. */
export interface MainIo {
  log: (line: string) => void;
  error: (line: string) => void;
  exit: (code: number) => void;
}

const processIo: MainIo = {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
  exit: (code) => process.exit(code),
};

/**
 * The one way Keel's processes (`pnpm start`, each app's main.ts) start and stop.
 * A failure to start that the user can fix (ConfigError, StartupError) prints one
 * message, without a stack, and exits 1; anything else is a bug and keeps its stack.
 * SIGINT and SIGTERM print one line, stop gracefully and exit 0. Signals are handled
 * idempotently: a terminal's Ctrl-C reaches the process twice under pnpm (pnpm forwards
 * the signal to the process group that already got it).
 */
export async function runMain(start: () => Promise<RunningKeel>, io: MainIo = processIo): Promise<void> {
  let running: RunningKeel | undefined;
  let signalled: string | undefined;
  const stop = (instance: RunningKeel, signal: string) => {
    io.log(`\n${signal}: Keel is stopping (in-flight requests get up to ${instance.graceMs} ms)`);
    instance.stop().then(
      () => io.exit(0),
      (error: unknown) => {
        io.error(`Keel did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        io.exit(1);
      },
    );
  };
  // Installed before starting, so a signal that arrives while (or just after) the start
  // prints its banner is never met by Node's default handler, which would kill the process.
  const onSignal = (signal: string) => {
    if (signalled !== undefined) return;
    signalled = signal;
    if (running) stop(running, signal);
  };
  // The process-level fault policy (process-faults.ts), for real processes only: a test's io is not one.
  if (io === processIo) installProcessGuards({ error: io.error });
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  try {
    running = await start();
  } catch (error) {
    io.error(`Keel did not start: ${startFailure(error)}`);
    io.exit(1);
    return;
  }
  if (signalled !== undefined) stop(running, signalled);
}

/** The words printed for a failed start: the message alone when the user can fix it. */
export function startFailure(error: unknown): string {
  if (error instanceof ConfigError || error instanceof StartupError) return error.message;
  if (error instanceof Error) return `unexpected error (a bug; please report it):\n${error.stack ?? error.message}`;
  return `unexpected error: ${String(error)}`;
}
