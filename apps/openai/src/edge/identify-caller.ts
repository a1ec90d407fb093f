import type { IncomingMessage } from "node:http";
import type { ServiceEdge } from "@keel/core";
import type { Principal } from "@keel/spec";

/** Who calls, as far as the pipeline needs to know. */
export interface Caller {
  /** Tenant, role and key id, from the API key alone (docs/design.md). */
  principal: Principal;
}

/**
 * The one step from a request's credential to its caller: the `Authorization: Bearer ...`
 * an OpenAI SDK sends with its `apiKey` (a Keel key, `keel_<id>_<secret>`), checked by
 * core's shared service edge. A missing or bad key is UNAUTHENTICATED (401,
 * `authentication_error` in OpenAI's shape) before the body is read. With no key
 * configured (the embedded default on loopback) every request is tenant `default`.
 */
export async function identifyCaller(edge: ServiceEdge, request: IncomingMessage): Promise<Caller> {
  return { principal: await edge.authenticate(request.headers.authorization) };
}
