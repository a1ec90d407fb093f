import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import {
  createCallerSignal,
  unsupportedMediaType,
  type CallerSignal,
  type RequestHandler,
  type ServiceEdge,
} from "@keel/core";
import { HTTP_STATUS_BY_CODE, toKeelError, type Principal } from "@keel/spec";
import type { CreateContext, GraphqlContext } from "../context.ts";
import type { DirectAnswer, DirectOperations } from "./direct-operations.ts";
import { sendLandingPage, wantsLandingPage } from "./landing-page.ts";
import { readBody } from "./read-body.ts";
import { sendErrors } from "./send-errors.ts";

export interface GraphqlHandlerOptions {
  apollo: ApolloServer<GraphqlContext>;
  path: string;
  maxBodyBytes: number;
  /** Turns the Authorization header into the caller's principal. */
  edge: ServiceEdge;
  /** Builds a request's context; `signal` aborts when the caller's socket closes first. */
  createContext: CreateContext;
  /** Known queries and mutations executed without Apollo's request pipeline (direct-operations.ts); none: Apollo alone. */
  direct?: DirectOperations;
}

/**
 * Serves GraphQL over plain node:http through Apollo's executeHTTPGraphQLRequest
 * (Apollo 5 ships no node:http integration). Reads the JSON body itself, under the
 * size limit; a caller who hangs up before the answer aborts the pipeline call. The
 * caller's key is checked before the body is read: a bad one is 401 UNAUTHENTICATED and
 * costs nothing more. Rate-limit headers the pipeline reports go on the response.
 */
export function createGraphqlHandler(options: GraphqlHandlerOptions): RequestHandler {
  const { apollo, maxBodyBytes } = options;
  return async (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    if (path !== options.path) {
      return sendErrors(response, 404, {
        code: "BAD_REQUEST",
        message: `nothing is served at ${path}; GraphQL is at ${options.path}`,
        details: { reason: "not-found" },
      });
    }

    const search = queryStart === -1 ? "" : url.slice(queryStart);
    if (wantsLandingPage(request, search)) return sendLandingPage(response, { request, path });

    let principal: Principal;
    try {
      principal = await options.edge.authenticate(request.headers.authorization);
    } catch (caught) {
      request.resume();
      const error = toKeelError(caught);
      return sendErrors(response, HTTP_STATUS_BY_CODE[error.code], {
        code: error.code,
        message: error.message,
        details: error.details,
      });
    }

    let body: unknown;
    if (request.method === "POST" && !isJson(request.headers["content-type"])) {
      // Apollo would answer with its long cross-site-request-forgery text; say what to send instead.
      request.resume();
      const error = unsupportedMediaType(request.headers["content-type"]);
      return sendErrors(response, 415, { code: error.code, message: error.message, details: error.details });
    }
    if (request.method === "POST") {
      const read = await readBody(request, maxBodyBytes);
      if (read.kind === "aborted") return;
      if (read.kind === "too-large") {
        response.setHeader("connection", "close");
        return sendErrors(response, 413, {
          code: "BAD_REQUEST",
          message: `the request body is larger than ${maxBodyBytes} bytes`,
          details: { reason: "body-too-large", limitBytes: maxBodyBytes },
        });
      }
      if (read.text.length > 0) {
        try {
          body = JSON.parse(read.text);
        } catch {
          return sendErrors(response, 400, {
            code: "BAD_REQUEST",
            message: "the request body is not valid JSON",
            details: { reason: "malformed-json" },
          });
        }
      } else {
        body = read.text;
      }
    }

    const rateLimitHeaders: Record<string, string> = {};
    const setResponseHeaders = (headers: Readonly<Record<string, string>>) => Object.assign(rateLimitHeaders, headers);
    // What ends when the caller goes before the answer is written: the context's signal (made
    // only if a resolver reads it) and each pipeline call's own caller signal (core).
    let controller: AbortController | undefined;
    let gone = false;
    const callers: CallerSignal[] = [];
    const onClose = () => {
      if (response.writableFinished) return;
      gone = true;
      controller?.abort();
      for (const caller of callers) caller.callerGone();
    };
    response.once("close", onClose);
    const source = {
      principal,
      get signal() {
        if (controller === undefined) {
          controller = new AbortController();
          if (gone) controller.abort();
        }
        return controller.signal;
      },
      callerSignal() {
        const caller = createCallerSignal();
        if (gone) caller.callerGone();
        else callers.push(caller);
        return caller.signal;
      },
      setResponseHeaders,
    };

    // A POST of a known query or mutation runs without Apollo's pipeline; undefined: Apollo answers.
    const direct =
      request.method === "POST"
        ? options.direct?.run({
            body,
            accept: request.headers.accept,
            createContext: () => options.createContext(source),
          })
        : undefined;
    if (direct !== undefined) {
      const answer: DirectAnswer = await direct;
      if (response.destroyed) return;
      writeHead(response, { rateLimitHeaders, headers: answer.headers, status: answer.status });
      response.end(answer.text);
      return;
    }

    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: request.method ?? "GET",
        headers: headerMapOf(request),
        search,
        body,
      },
      context: async () => options.createContext(source),
    });
    if (response.destroyed) return;
    writeHead(response, { rateLimitHeaders, headers: result.headers, status: result.status ?? 200 });
    if (result.body.kind === "complete") {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };
}

/** The head both paths send: the pipeline's rate-limit headers, `cache-control: no-store`, then the answer's own. */
function writeHead(
  response: ServerResponse,
  head: { rateLimitHeaders: Record<string, string>; headers: Iterable<[string, string]>; status: number },
): void {
  for (const [name, value] of Object.entries(head.rateLimitHeaders)) response.setHeader(name, value);
  // What Apollo's cache-control plugin sent with no cache hints in the schema (start-graphql-service.ts turns it off).
  response.setHeader("cache-control", "no-store");
  for (const [name, value] of head.headers) response.setHeader(name, value);
  response.statusCode = head.status;
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/(?:[\w.+-]*\+)?json\b/i.test(contentType.trim());
}

function headerMapOf(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}
