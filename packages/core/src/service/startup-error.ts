import { PORT_VARIABLES } from "../config/load-config.ts";

/**
 * Keel could not start for a reason the person starting it can fix (a busy port, an
 * unreachable Redis): `runMain` prints the message alone, without a stack, and exits
 * non-zero. The message says what failed and what to do.
 */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** Why a server could not listen, as a StartupError naming the service, the address and the fix. */
export function listenError(error: unknown, where: { service: string; host: string; port: number }): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const variable = (PORT_VARIABLES as Record<string, string>)[where.service];
  const change = variable ? `set ${variable} to another port` : "choose another port";
  const address = `${where.host}:${where.port}`;
  if (code === "EADDRINUSE") {
    return new StartupError(
      `the ${where.service} service cannot listen on ${address}: the port is already in use. ` +
        `Keel may already be running (another \`pnpm start\`?); stop it, or ${change}.`,
    );
  }
  if (code === "EACCES") {
    return new StartupError(
      `the ${where.service} service may not listen on ${address} (permission denied: ports below 1024 need privileges); ${change}.`,
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new StartupError(
      `the ${where.service} service cannot listen on ${address}: "${where.host}" is not an address of this machine; set KEEL_HOST (default 127.0.0.1).`,
    );
  }
  return error;
}
