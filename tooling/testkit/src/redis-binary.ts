import { spawnSync } from "node:child_process";

/** The redis-server binary: REDIS_SERVER_BIN or the one on PATH. */
export const redisServerBinary = process.env.REDIS_SERVER_BIN ?? "redis-server";
/** redis-cli, next to a REDIS_SERVER_BIN when one is given. */
export const redisCliBinary =
  process.env.REDIS_CLI_BIN ??
  (process.env.REDIS_SERVER_BIN ? process.env.REDIS_SERVER_BIN.replace(/redis-server$/, "redis-cli") : "redis-cli");

/** Throws a message that says how to install the binary when it cannot be run: tests never skip. */
export function requireBinary(binary: string, variable: string): void {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${binary} is required for these tests and was not found. Install it (apt-get install redis-server, which brings redis-cli too) or set ${variable}.`,
    );
  }
}
