import type { IncomingMessage, ServerResponse } from "node:http";
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  type AnyTRPCRouter,
} from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import { createCallerSignal } from "@keel/core";
import type { KeelTrpcContext } from "./context.ts";

export interface DirectMutationOptions {
  router: AnyTRPCRouter;
  /** The service's path prefix, with both slashes: "/trpc/". */
  basePath: string;
  maxBodyBytes: number;
  /** The service's context factory; a mutation over HTTP has no subscription connection params. */
  createContext: (options: {
    req: IncomingMessage;
    res: ServerResponse;
    info: { connectionParams: null };
  }) => KeelTrpcContext;
}

/**
 * The tRPC service's hot path: one unbatched POST of a JSON body to a mutation
 * (`/trpc/ai.generate`) calls the procedure directly. tRPC's node adapter turns every
 * call into a web Request (Headers, a ReadableStream body, three AbortControllers) and
 * back from a web Response; that cost as much CPU as the rest of the service's request
 * handling (bench/README.md). What the caller sees is tRPC's own: the same procedure call
 * (middlewares, input parser, lazy JSON parse of the body), `{ result: { data } }`, or
 * `{ error }` shaped by the router's errorFormatter with tRPC's HTTP status, and the
 * `vary` header. A batch of one (`?batch=1`, body `{"0": input}`, what tRPC's
 * httpBatchLink sends for a lone call) gets the same in a one-element array. Anything else
 * (a longer batch, another query string, a query, a subscription, no Content-Length or one
 * over the limit, another content type, `trpc-accept`) returns false untouched, for tRPC's
 * handler.
 */
export function createDirectMutationHandler(options: DirectMutationOptions) {
  const { router, basePath, maxBodyBytes, createContext } = options;
  const procedures = router._def.procedures as Record<string, { _def: { type: string } } | undefined>;
  const config = router._def._config;

  return function handleDirectly(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? "";
    if (request.method !== "POST" || request.headers["trpc-accept"] !== undefined) return false;
    const query = url.indexOf("?");
    const batch = query !== -1;
    if (batch && url.slice(query) !== "?batch=1") return false;
    const path = url.slice(basePath.length, batch ? query : undefined);
    if (procedures[path]?._def.type !== "mutation") return false;
    const contentType = request.headers["content-type"];
    if (contentType !== undefined && !contentType.startsWith("application/json")) return false;
    const length = Number(request.headers["content-length"]);
    if (!(Number.isSafeInteger(length) && length >= 0 && length <= maxBodyBytes)) return false;

    readBody(request, length).then(
      (text) => call({ request, response, path, text, batch }),
      () => response.destroy(),
    );
    return true;
  };

  async function call(options: {
    request: IncomingMessage;
    response: ServerResponse;
    path: string;
    text: string;
    batch: boolean;
  }) {
    const { request, response, path, text, batch } = options;
    // Aborted when the caller goes before the answer is written, as tRPC's adapter does. A
    // caller signal: the pipeline call takes it as its request's signal instead of linking one.
    const caller = createCallerSignal();
    const onClose = () => {
      if (!response.writableEnded) caller.callerGone();
    };
    response.once("close", onClose);
    let ctx: KeelTrpcContext | undefined;
    let input: unknown;
    try {
      ctx = createContext({ req: request, res: response, info: { connectionParams: null } });
      const data = await callTRPCProcedure({
        router,
        path,
        // Parsed when the input parser asks, so a malformed body fails where tRPC fails it.
        getRawInput: async () => {
          input = readInput(text, batch);
          return input;
        },
        ctx,
        type: "mutation",
        signal: caller.signal,
        batchIndex: 0,
      });
      const body = { result: { data } };
      send(response, { status: 200, text: JSON.stringify(batch ? [body] : body), headers: ctx.responseHeaders });
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      const body = { error: getTRPCErrorShape({ config, ctx, error, input, path, type: "mutation" }) };
      send(response, {
        status: getHTTPStatusCode(body, [error]),
        text: JSON.stringify(batch ? [body] : body),
        headers: ctx?.responseHeaders ?? {},
      });
    } finally {
      response.off("close", onClose);
    }
  }
}

/**
 * The call's input as tRPC's JSON content handler reads it: an empty body is no input, a
 * batch's inputs are keyed by position (a non-object batch body is refused), and a body
 * that does not parse is BAD_REQUEST with the parser's message.
 */
function readInput(text: string, batch: boolean): unknown {
  let inputs: unknown;
  try {
    inputs = text === "" ? undefined : JSON.parse(text);
  } catch (cause) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: cause instanceof Error ? cause.message : "Invalid input",
      cause,
    });
  }
  if (!batch || inputs === undefined) return inputs;
  if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs))
    throw new TRPCError({ code: "BAD_REQUEST", message: '"input" needs to be an object when doing a batch call' });
  return (inputs as Record<string, unknown>)["0"];
}

function readBody(request: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on("data", (chunk: Buffer) => {
      received += chunk.length;
      // A body longer than its Content-Length is malformed HTTP; Node's parser stops it too.
      if (received > length) request.destroy(new Error("body longer than its content-length"));
      else chunks.push(chunk);
    });
    request.once("end", () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8")),
    );
    request.once("error", reject);
    request.once("aborted", () => reject(new Error("aborted")));
  });
}

/** `headers`: what the pipeline reported for the response (x-ratelimit-*, retry-after), as responseMeta sends them. */
function send(
  response: ServerResponse,
  answer: { status: number; text: string; headers: Record<string, string> },
): void {
  const { status, text, headers } = answer;
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(status, {
    ...headers,
    vary: "trpc-accept, accept",
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
