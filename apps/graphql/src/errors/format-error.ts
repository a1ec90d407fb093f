import { KeelError, type KeelErrorCode, type KeelErrorDetails } from "@keel/spec";
import type { GraphQLError, GraphQLFormattedError } from "graphql";
import { inputFieldOf } from "./field-path.ts";
import { unknownFieldHint } from "./unknown-field-hint.ts";

/**
 * GraphQL's and Apollo's own codes for a request the caller got wrong (it does not
 * parse, does not validate, its variables do not coerce). They all become Keel's
 * BAD_REQUEST, the original kept under extensions.graphqlCode.
 */
const CALLER_MISTAKE_CODES: ReadonlySet<string> = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/** Apollo's cross-site request forgery refusal of a GET without a preflight header; a paragraph about CSRF. */
const APOLLO_CSRF_TEXT = "This operation has been blocked as a potential Cross-Site Request Forgery";
const PREFLIGHT_MESSAGE =
  'send the query as a POST with the header "content-type: application/json" (a GET needs the header "apollo-require-preflight: true")';

export interface KeelErrorExtensions {
  code: KeelErrorCode;
  retryable: boolean;
  details: KeelErrorDetails;
  /** The GraphQL or Apollo code a BAD_REQUEST came from, when GraphQL itself rejected the request. */
  graphqlCode?: string;
}

/**
 * The one error formatter of the service (Apollo's formatError and the WebSocket
 * server both use it). Builds each error anew from an allow-list, so no stack trace,
 * upstream message or secret reaches a caller: a KeelError keeps its caller-safe
 * message and code, a GraphQL input mistake becomes BAD_REQUEST naming the field, and
 * anything else becomes INTERNAL with a generic message.
 *
 * `graphqlCode` is the code Apollo gave the error, or the one the WebSocket server
 * knows it to be; undefined means "an error raised while executing".
 */
export function formatGraphqlError(error: unknown, graphqlCode: string | undefined): GraphQLFormattedError {
  const graphqlError = isGraphqlError(error) ? error : undefined;
  const place = placeOf(graphqlError);
  const keelError = findKeelError(error);
  if (keelError) {
    const extensions: KeelErrorExtensions = {
      code: keelError.code,
      retryable: keelError.retryable,
      details: keelError.details,
    };
    return { message: keelError.message, ...place, extensions: { ...extensions } };
  }
  if (graphqlError && graphqlCode === "BAD_REQUEST" && graphqlError.message.startsWith(APOLLO_CSRF_TEXT)) {
    const extensions: KeelErrorExtensions = {
      code: "BAD_REQUEST",
      retryable: false,
      details: { reason: "preflight-required", expected: "application/json" },
      graphqlCode,
    };
    return { message: PREFLIGHT_MESSAGE, ...place, extensions: { ...extensions } };
  }
  if (graphqlError && graphqlCode !== undefined && CALLER_MISTAKE_CODES.has(graphqlCode)) {
    const field = inputFieldOf(graphqlError);
    const hint = unknownFieldHint(graphqlError.message);
    const message = field === undefined ? graphqlError.message : `${field}: ${graphqlError.message}`;
    const extensions: KeelErrorExtensions = {
      code: "BAD_REQUEST",
      retryable: false,
      details: { ...(field === undefined ? {} : { field }), ...(hint === undefined ? {} : { hint }) },
      graphqlCode,
    };
    return { message, ...place, extensions: { ...extensions } };
  }
  const extensions: KeelErrorExtensions = { code: "INTERNAL", retryable: false, details: {} };
  return { message: "internal error", ...place, extensions: { ...extensions } };
}

/** A KeelError anywhere down the originalError chain (resolvers' errors are wrapped). */
function findKeelError(error: unknown): KeelError | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (KeelError.isInstance(current)) return current;
    current = isGraphqlError(current) ? current.originalError : undefined;
  }
  return undefined;
}

function placeOf(error: GraphQLError | undefined): Pick<GraphQLFormattedError, "locations" | "path"> {
  if (!error) return {};
  return {
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
  };
}

/**
 * Duck-typed rather than `instanceof`: graphql ships CommonJS and ESM builds, and Apollo
 * and this package may load different ones, each with its own GraphQLError class (and
 * Apollo's subclasses rename themselves: ValidationError, UserInputError, ...).
 */
export function isGraphqlError(value: unknown): value is GraphQLError {
  return value instanceof Error && "extensions" in value && "originalError" in value && "locations" in value;
}
