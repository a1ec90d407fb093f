import type { ApiKeyRole } from "@keel/spec";
import { authenticatedProcedure } from "../authenticated.ts";

/** What the service knows of its caller: the dashboard shows the views the role allows. */
export interface SessionInfo {
  tenant: string;
  role: ApiKeyRole;
  /** "off": authentication is off, every call is the operator (role admin) of tenant `default`. */
  authentication: "off" | "api-key";
}

/** `session`: who the caller's key makes it (tenant and role); with auth off, the open principal. */
export function createSessionProcedure() {
  return authenticatedProcedure.query(
    ({ ctx }): SessionInfo => ({
      tenant: ctx.principal.tenant,
      role: ctx.principal.role,
      authentication: ctx.principal.keyId === undefined ? "off" : "api-key",
    }),
  );
}
