/**
 * The `Authorization` value a caller sent, wherever its transport carries it: the HTTP
 * header (tRPC and GraphQL over HTTP), the graphql-ws `connection_init` payload, or the
 * tRPC subscription's connection params (`{ authorization: "Bearer keel_..." }`; the name
 * is matched without regard to case). Anything else is no credential at all.
 */
export function authorizationOf(source: unknown): string | undefined {
  if (typeof source === "string") return source;
  if (Array.isArray(source)) return typeof source[0] === "string" ? source[0] : undefined;
  if (typeof source !== "object" || source === null) return undefined;
  for (const [name, value] of Object.entries(source)) {
    if (name.toLowerCase() === "authorization" && typeof value === "string") return value;
  }
  return undefined;
}
