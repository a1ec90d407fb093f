import { bearerToken, type ApiKey } from "@keel/governance";
import { KeelError, toKeelError, type Principal } from "@keel/spec";
import type { Pipeline } from "../pipeline/create-pipeline.ts";
import type { CallOptions } from "../pipeline/request-scope.ts";
import { authorizationOf } from "./credentials.ts";

/** Who calls while authentication is off (no key exists yet, on loopback; or auth.mode none): the operator. */
export const OPEN_PRINCIPAL: Principal = Object.freeze({ tenant: "default", role: "admin" });

/**
 * The edge both services call per HTTP request and per WebSocket connection: the caller's
 * credential becomes a principal (or UNAUTHENTICATED), and pipeline calls carry it. The
 * tenant of every call comes from the key alone.
 */
export interface ServiceEdge {
  /**
   * The principal of a credential (an `Authorization` header value, or the object a
   * WebSocket or SSE connection sent, holding `authorization`). UNAUTHENTICATED with one
   * message whatever was wrong (missing, malformed, unknown, wrong secret, revoked), so a
   * caller cannot probe which key ids exist; the reason goes to the log only. Checked
   * before anything else, so a bad key costs no upstream call and no cache read.
   */
  authenticate(credential: unknown): Promise<Principal>;
  /** The pipeline call's options: the principal (and so the tenant), the service's name, and what the transport adds. */
  callOptions(
    principal: Principal,
    extras?: Pick<CallOptions, "requestId" | "signal" | "setResponseHeaders">,
  ): CallOptions;
}

export function createServiceEdge(pipeline: Pipeline, options: { service: string }): ServiceEdge {
  const { keys, auth } = pipeline.governance;
  return {
    async authenticate(credential) {
      if (!(await auth.required())) return OPEN_PRINCIPAL;
      try {
        return principalOf(await keys.verify(bearerToken(authorizationOf(credential))));
      } catch (error) {
        const refused = toKeelError(error);
        if (refused.code !== "UNAUTHENTICATED") throw refused;
        pipeline.governance.logRejection(refused, options.service);
        throw unauthenticated();
      }
    },
    callOptions(principal, extras = {}) {
      return { ...extras, principal, service: options.service };
    },
  };
}

/** The caller's view of every refused key: the same words, no reason, no key id. */
export function unauthenticated(): KeelError {
  return new KeelError("UNAUTHENTICATED", "invalid or missing API key", { retryable: false });
}

/** What the pipeline learns of a key: who it is, and what it allows. Never the secret. */
export function principalOf(key: ApiKey): Principal {
  return {
    keyId: key.id,
    tenant: key.tenant,
    role: key.role,
    ...(key.allowedModels ? { allowedModels: key.allowedModels } : {}),
    ...(key.limits ? { limits: key.limits } : {}),
    ...(key.budget ? { budget: key.budget } : {}),
  };
}
