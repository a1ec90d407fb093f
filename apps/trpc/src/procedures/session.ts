import { publicProcedure } from "../trpc.ts";

/** What the service knows of its caller: the dashboard shows the views the role allows. */
export interface SessionInfo {
  tenant: string;
  role: "caller" | "reviewer" | "admin";
  /** "off": no API keys yet, every call is the operator of tenant `default`. */
  authentication: "off" | "api-key";
}

/**
 * `session`: who the caller is. Until API keys are wired into the services, authentication
 * is off and the caller is the operator (role admin) of tenant `default`, the principal
 * governance gives an unauthenticated loopback caller; the keys' wiring reports the key's
 * tenant and role here.
 */
export function createSessionProcedure() {
  return publicProcedure.query(
    ({ ctx }): SessionInfo => ({ tenant: ctx.tenant, role: "admin", authentication: "off" }),
  );
}
