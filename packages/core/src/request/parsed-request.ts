import type { ChatRequest, EmbeddingRequest, StructuredOutputSpec } from "@keel/spec";

/**
 * Requests core has validated, by kind. A service validates at its edge (tRPC's
 * `.input(callerInputs.chat)`, GraphQL's resolvers) and hands the pipeline the result,
 * which the pipeline recognises and does not validate again; a plain object from an
 * in-process caller is validated once, by the pipeline. The brand is a type only: the
 * record is a WeakSet per kind, so the request object itself is left as it was (cache
 * keys, log lines and spreads see no extra field).
 */
export type ParsedKind = "chat" | "structured" | "embedding";

declare const parsedBrand: unique symbol;

type Parsed<Request, Kind extends ParsedKind> = Request & { readonly [parsedBrand]: Kind };

export type ParsedChatRequest = Parsed<ChatRequest, "chat">;
/** A structured request with its schema fields folded into `structured`. */
export type ParsedStructuredRequest = Parsed<ChatRequest & { structured: StructuredOutputSpec }, "structured">;
export type ParsedEmbeddingRequest = Parsed<EmbeddingRequest, "embedding">;

interface ParsedRequests {
  chat: ParsedChatRequest;
  structured: ParsedStructuredRequest;
  embedding: ParsedEmbeddingRequest;
}

const parsed: Record<ParsedKind, WeakSet<object>> = {
  chat: new WeakSet(),
  structured: new WeakSet(),
  embedding: new WeakSet(),
};

/** Records `request` as validated for `kind`; only core's parse functions call this. */
export function markParsed<Kind extends ParsedKind>(
  request: Omit<ParsedRequests[Kind], typeof parsedBrand>,
  kind: Kind,
): ParsedRequests[Kind] {
  parsed[kind].add(request);
  return request as ParsedRequests[Kind];
}

/** True for a request one of core's parse functions returned for `kind`. */
export function isParsed<Kind extends ParsedKind>(value: unknown, kind: Kind): value is ParsedRequests[Kind] {
  return typeof value === "object" && value !== null && parsed[kind].has(value);
}
