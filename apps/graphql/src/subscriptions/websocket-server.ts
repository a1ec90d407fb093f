import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { RequestGuard } from "@keel/core";
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from "graphql";
import type { FormattedExecutionResult } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { ServiceEdge } from "@keel/core";
import { toKeelError, type Principal } from "@keel/spec";
import type { CreateContext } from "../context.ts";
import { formatGraphqlError, isGraphqlError } from "../errors/format-error.ts";
import type { DocumentRules } from "../limits/document-rules.ts";
import { createDocumentCache } from "./document-cache.ts";
import { createPlannedSubscribe } from "./planned-subscribe.ts";

/** Distinct subscription texts kept parsed and validated; clients send a handful. */
const cachedDocuments = 500;

export interface SubscriptionServerOptions {
  server: Server;
  path: string;
  schema: GraphQLSchema;
  maxMessageBytes: number;
  /** Turns the connection_init payload's `authorization` into the connection's principal. */
  edge: ServiceEdge;
  /** The document limits and introspection rule HTTP applies, applied here too. */
  rules: DocumentRules;
  /** The host's Host and Origin checks: a page in a browser must not open a socket to a loopback service. */
  guard: RequestGuard;
  /** Builds an operation's context; `signal` aborts when the WebSocket closes. */
  createContext: CreateContext;
  isShuttingDown: () => boolean;
}

export interface SubscriptionServer {
  /** Operations (subscriptions and single results) not yet completed. */
  readonly activeOperations: () => number;
  /** Closes every WebSocket ("going away") and the server; sockets that do not answer are cut. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * graphql-ws over ws on the service's own HTTP server (attached before it listens) and path. Parse and validation
 * run here (not inside graphql-ws) so their errors go through the same formatter as
 * HTTP's; a document that passed is kept by its text and not parsed or validated again. Closing the socket or completing the subscription calls return() on the
 * operation's iterator, which aborts the upstream call. The caller's key comes in the
 * connection_init payload (`{ authorization: "Bearer keel_..." }`) and is checked once per
 * connection: a bad one closes the socket with 4401 before any operation runs.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { schema } = options;
  const webSockets = new WebSocketServer({ noServer: true, path: options.path, maxPayload: options.maxMessageBytes });
  // Upgrades are handed over by hand rather than through ws's `server` option, which also
  // re-emits the HTTP server's own errors (a busy port at start) on the WebSocket server,
  // where graphql-ws would log them as an error of its own. The path is still checked by ws.
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = options.guard(request.headers);
    if (refused !== undefined) return refuseUpgrade(socket, refused.message);
    webSockets.handleUpgrade(request, socket, head, (webSocket) => webSockets.emit("connection", webSocket, request));
  };
  const validationRules = [...specifiedRules, ...options.rules.validationRules];
  options.server.on("upgrade", onUpgrade);
  const connectionSignals = new WeakMap<WebSocket, AbortSignal>();
  const principals = new WeakMap<WebSocket, Principal>();
  const documents = createDocumentCache(cachedDocuments);
  let active = 0;

  const signalOf = (socket: WebSocket): AbortSignal => {
    let signal = connectionSignals.get(socket);
    if (!signal) {
      const controller = new AbortController();
      socket.once("close", () => controller.abort());
      signal = controller.signal;
      connectionSignals.set(socket, signal);
    }
    return signal;
  };

  const disposable = useServer(
    {
      isProd: true,
      onConnect: async (context) => {
        if (options.isShuttingDown()) return false;
        const socket = context.extra.socket;
        try {
          principals.set(socket, await options.edge.authenticate(context.connectionParams));
          return true;
        } catch (caught) {
          // graphql-ws has no close code for a refused credential; 4401 mirrors HTTP's 401 (its own 4403 is "Forbidden").
          const error = toKeelError(caught);
          socket.close(error.code === "UNAUTHENTICATED" ? 4401 : 4500, closeReason(`${error.code}: ${error.message}`));
          return false;
        }
      },
      // Each event through the operation's event plan where it has one (planned-subscribe.ts), else graphql's execute.
      subscribe: createPlannedSubscribe(),
      onSubscribe: (context, _id, payload) => {
        let document = documents.get(payload.query);
        if (document === undefined) {
          try {
            document = parse(payload.query, { maxTokens: options.rules.maxTokens });
          } catch (error) {
            return [withCode(error, "GRAPHQL_PARSE_FAILED")];
          }
          const errors = validate(schema, document, validationRules);
          if (errors.length > 0) return errors.map((error) => withCode(error, "GRAPHQL_VALIDATION_FAILED"));
          documents.set(payload.query, document);
        }
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: options.createContext({
            principal: principalOf(principals, context.extra.socket),
            signal: signalOf(context.extra.socket),
          }),
        };
      },
      onOperation: () => {
        active += 1;
      },
      onComplete: () => {
        active -= 1;
      },
      // biome-ignore lint/complexity/useMaxParams: graphql-ws calls onNext(context, id, payload, args, result) positionally.
      onNext: (_context, _id, _payload, _args, result) => (result.errors ? formatResult(result) : undefined),
      // biome-ignore lint/complexity/useMaxParams: graphql-ws calls onError(context, id, payload, errors) positionally.
      onError: (_context, _id, _payload, errors) => errors.map((error) => formatGraphqlError(error, codeOf(error))),
    },
    webSockets,
  );

  return {
    activeOperations: () => active,
    async close(timeoutMs) {
      options.server.off("upgrade", onUpgrade);
      const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([disposable.dispose(), timer]);
      for (const socket of webSockets.clients) socket.terminate();
    },
  };
}

/** A connection's principal; graphql-ws runs no operation on a connection that was not acknowledged. */
function principalOf(principals: WeakMap<WebSocket, Principal>, socket: WebSocket): Principal {
  const principal = principals.get(socket);
  if (principal === undefined)
    throw new GraphQLError("the connection is not authenticated", { extensions: { code: "UNAUTHENTICATED" } });
  return principal;
}

/** A WebSocket close reason is at most 123 bytes of UTF-8. */
function closeReason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : `${Buffer.from(text).subarray(0, 120).toString("utf8")}...`;
}

/** Answers a refused upgrade in plain HTTP (the socket is not a WebSocket yet) and closes it. */
function refuseUpgrade(socket: Duplex, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: "FORBIDDEN" } }] });
  socket.end(
    `HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function formatResult(result: { data?: unknown; errors?: readonly GraphQLError[] }): FormattedExecutionResult {
  // Only errors raised while executing a field carry a path; the others come from
  // coercing the caller's variables before execution.
  const errors = (result.errors ?? []).map((error) =>
    formatGraphqlError(error, error.path ? undefined : "BAD_USER_INPUT"),
  );
  return { data: result.data as FormattedExecutionResult["data"], errors };
}

function codeOf(error: GraphQLError): string | undefined {
  const code = error.extensions.code;
  if (typeof code === "string") return code;
  // Raised by graphql-ws itself before execution ("Unable to identify operation").
  return error.originalError ? undefined : "OPERATION_RESOLUTION_FAILURE";
}

function withCode(error: unknown, code: string): GraphQLError {
  if (!isGraphqlError(error)) return new GraphQLError("the operation could not be read", { extensions: { code } });
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    originalError: error.originalError ?? null,
    extensions: { ...error.extensions, code },
  });
}
