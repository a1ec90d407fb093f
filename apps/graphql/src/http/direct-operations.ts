import {
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import type { DocumentRules } from "../limits/document-rules.ts";

export interface DirectOperationsOptions {
  /** The schema Apollo serves (the same object). */
  schema: GraphQLSchema;
  /** The service's parse and validation limits, as Apollo is given them. */
  rules: DocumentRules;
  /** Apollo's `formatError`, called as Apollo calls it. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Most documents kept (each with its verdict); the oldest goes first. */
  maxDocuments: number;
  /**
   * Longest query text (UTF-16 units) this path takes; longer ones go to Apollo, whose
   * document store is bounded by bytes. With `maxDocuments`, bounds what the cache holds.
   */
  maxQueryLength: number;
}

/** A whole answer for the HTTP handler: status, Apollo's headers (content-type last), body text. */
export interface DirectAnswer {
  status: number;
  headers: Array<[string, string]>;
  text: string;
}

export type DirectOperations = ReturnType<typeof createDirectOperations>;

export interface DirectRequest {
  /** The request's parsed JSON body. */
  body: unknown;
  /** The Accept header. */
  accept: string | undefined;
  /** The resolvers' context (a GraphqlContext), made only once the operation is known to be this path's. */
  createContext: () => unknown;
}

/** What Apollo answers with for a single result when the Accept header is absent, `*\/*` or `application/json`. */
const APPLICATION_JSON = "application/json; charset=utf-8";
const PLAIN_ACCEPTS: ReadonlySet<string> = new Set(["*/*", "application/json"]);
/** Introspection root fields (not `__typename`): left to Apollo, with its rules for them. */
const INTROSPECTION = /__(?:schema|type)\b/;

/**
 * GraphQL's hot path over HTTP: a POST whose query is a plain query or mutation that parses
 * and validates under Apollo's rules (checked once per text, the verdict kept) is executed with graphql-js's `execute` directly,
 * the way Apollo executes it, skipping Apollo's per-request machinery: its HeaderMap, content
 * negotiation, sha256 document hash and store lookup, the plugin hooks and promise layers, and
 * the context clone. What the caller gets is Apollo's: the same `execute` call (schema,
 * document, context, variables, operation name), `{"errors","data","extensions"}` in Apollo's
 * order with its trailing newline, errors through Apollo's own formatError with the code and
 * HTTP status Apollo derives from them, and Apollo's content type.
 *
 * `run` returns undefined, having run no resolver, for anything else, which Apollo then
 * answers: a body Apollo would refuse or treats specially (not an object, `extensions`,
 * a batch, odd field types), a query text over `maxQueryLength`, an Accept header that needs negotiating, a document that does
 * not parse or validate, introspection, a subscription, an operation name that picks no
 * operation, and variables that do not coerce (graphql-js reports those before any resolver).
 */
export function createDirectOperations(options: DirectOperationsOptions) {
  const { schema, rules, formatError, maxDocuments, maxQueryLength } = options;
  const validationRules = [...specifiedRules, ...rules.validationRules];
  // Each document text's verdict: its parsed, validated document, or null for "Apollo's".
  const documents = new Map<string, DocumentNode | null>();

  function documentOf(query: string): DocumentNode | null {
    const known = documents.get(query);
    if (known !== undefined) return known;
    const document = prepare(query);
    if (documents.size >= maxDocuments) {
      const oldest = documents.keys().next();
      if (!oldest.done) documents.delete(oldest.value);
    }
    documents.set(query, document);
    return document;
  }

  function prepare(query: string): DocumentNode | null {
    if (INTROSPECTION.test(query)) return null;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: rules.maxTokens });
    } catch {
      return null;
    }
    return validate(schema, document, validationRules).length === 0 ? document : null;
  }

  return {
    run(request: DirectRequest): Promise<DirectAnswer> | undefined {
      if (request.accept !== undefined && !PLAIN_ACCEPTS.has(request.accept)) return undefined;
      const fields = plainFields(request.body);
      if (fields === undefined || fields.query.length > maxQueryLength) return undefined;
      const document = documentOf(fields.query);
      if (document === null) return undefined;
      const operation = getOperationAST(document, fields.operationName);
      if (!operation || operation.operation === "subscription") return undefined;

      let result: ExecutionResult | Promise<ExecutionResult>;
      try {
        result = execute({
          schema,
          document,
          contextValue: request.createContext(),
          variableValues: fields.variables,
          operationName: fields.operationName,
        });
      } catch {
        // Thrown before any resolver ran (graphql-js asserts its arguments first).
        return undefined;
      }
      // No data: the variables did not coerce, and no resolver ran; Apollo reports it its way.
      if (!isThenable(result) && result.data === undefined) return undefined;
      return Promise.resolve(result).then(answerOf, failedAnswer);
    },
  };

  function answerOf(result: ExecutionResult): DirectAnswer {
    if (result.errors === undefined) {
      return {
        status: 200,
        headers: [["content-type", APPLICATION_JSON]],
        text: `${JSON.stringify({ data: result.data, extensions: result.extensions })}\n`,
      };
    }
    const formatted = formatErrors(result.errors);
    return {
      status: formatted.status ?? 200,
      headers: [...formatted.headers, ["content-type", APPLICATION_JSON]],
      text: `${JSON.stringify({ errors: formatted.errors, data: result.data, extensions: result.extensions })}\n`,
    };
  }

  /** graphql-js's execute does not reject; if it ever did, Apollo would answer 500 with the error. */
  function failedAnswer(cause: unknown): DirectAnswer {
    const error =
      cause instanceof GraphQLError
        ? cause
        : new GraphQLError(cause instanceof Error ? cause.message : `Unexpected error value: ${String(cause)}`, {
            ...(cause instanceof Error ? { originalError: cause } : {}),
          });
    const formatted = formatErrors([error]);
    return {
      status: formatted.status ?? 500,
      headers: [...formatted.headers, ["content-type", APPLICATION_JSON]],
      text: `${JSON.stringify({ errors: formatted.errors })}\n`,
    };
  }

  /**
   * Apollo's normalizeAndFormatErrors: each error with `extensions.code` defaulted to
   * INTERNAL_SERVER_ERROR and `extensions.http` (status, headers) taken off into the
   * response's head, then through formatError; a formatter that throws gives Apollo's
   * generic error.
   */
  function formatErrors(errors: readonly GraphQLError[]) {
    let status: number | undefined;
    const headers: Array<[string, string]> = [];
    const formattedErrors = errors.map((error) => {
      try {
        const extensions: Record<string, unknown> = {
          ...error.extensions,
          code: error.extensions.code ?? "INTERNAL_SERVER_ERROR",
        };
        const http = extensions.http;
        if (isHttpHead(http)) {
          if (http.status) status = http.status;
          for (const [name, value] of http.headers ?? []) headers.push([name, value]);
          delete extensions.http;
        }
        return formatError({ ...error.toJSON(), extensions }, error);
      } catch {
        return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
      }
    });
    return { status, headers, errors: formattedErrors };
  }
}

interface PlainFields {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/** The body's fields when Apollo would read them as given; undefined when Apollo must judge the body. */
function plainFields(body: unknown): PlainFields | undefined {
  if (!isRecord(body) || "extensions" in body) return undefined;
  const { query, variables, operationName } = body;
  if (typeof query !== "string" || query === "") return undefined;
  if (variables !== undefined && variables !== null && !isRecord(variables)) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return undefined;
  return {
    query,
    variables: variables ?? undefined,
    operationName: operationName ?? undefined,
  };
}

function isThenable(value: ExecutionResult | Promise<ExecutionResult>): value is Promise<ExecutionResult> {
  return typeof (value as { then?: unknown }).then === "function";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isHttpHead(value: unknown): value is { status?: number; headers?: Map<string, string> } {
  if (typeof value !== "object" || value === null) return false;
  const head = value as { status?: unknown; headers?: unknown };
  return (
    (!("status" in head) || typeof head.status === "number") && (!("headers" in head) || head.headers instanceof Map)
  );
}
