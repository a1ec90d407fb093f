import type { Pipeline } from "../pipeline/create-pipeline.ts";
import { StartupError } from "../service/startup-error.ts";

/**
 * What a service does before it listens: waits for the shared stores (Redis) to answer,
 * installs KEEL_BOOTSTRAP_ADMIN_KEY, and refuses a public address with authentication off.
 */
export async function readyToServe(options: { pipeline: Pipeline; host: string; service: string }): Promise<void> {
  await options.pipeline.governance.ready();
  await checkExposure(options);
}

/**
 * Before a service listens: bound to an address other machines can reach with
 * authentication off, anyone who reaches it would spend the operator's provider key as
 * tenant "default". That start is refused unless the config says `auth.mode: none`.
 * Also installs KEEL_BOOTSTRAP_ADMIN_KEY, so the first request already needs a key.
 */
export async function checkExposure(options: { pipeline: Pipeline; host: string; service: string }): Promise<void> {
  const { auth } = options.pipeline.governance;
  await auth.prepare();
  if (isLoopback(options.host) || auth.mode === "none" || (await auth.required())) return;
  throw new StartupError(
    `the ${options.service} service would listen on ${options.host}, reachable from other machines, with authentication off (no API key exists). ` +
      "Create a key (pnpm keel keys create --tenant <name> --role admin) or set KEEL_BOOTSTRAP_ADMIN_KEY, " +
      "bind to 127.0.0.1 (KEEL_HOST), or set auth.mode: none in the config to run open on purpose.",
  );
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(?:\.\d{1,3}){3}$/.test(bare) || bare === "::ffff:127.0.0.1";
}
