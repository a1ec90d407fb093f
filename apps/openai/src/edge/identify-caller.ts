import type { IncomingMessage } from "node:http";
import { DEFAULT_TENANT } from "@keel/spec";

/** Who calls, as far as the pipeline needs to know. */
export interface Caller {
  tenant: string;
}

/**
 * The one step from a request's credential to its caller. Until API keys exist every
 * request is tenant `default` (docs/design.md: the tenant comes only from an authenticated
 * key, never from a header or a body field), and the `Authorization: Bearer ...` an OpenAI
 * SDK always sends is not read. When core's shared service edge lands, this becomes
 * `edge.authenticate(request.headers.authorization)` (UNAUTHENTICATED -> 401 in OpenAI's
 * shape), and the caller's principal goes into the call options.
 */
export async function identifyCaller(_request: IncomingMessage): Promise<Caller> {
  return { tenant: DEFAULT_TENANT };
}
