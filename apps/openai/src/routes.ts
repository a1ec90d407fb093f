import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { KeelError, toKeelError } from "@keel/spec";
import { handleChat } from "./chat/handle-chat.ts";
import { identifyCaller } from "./edge/identify-caller.ts";
import { handleEmbeddings } from "./embeddings/handle-embeddings.ts";
import type { Exchange, ServiceParts } from "./http/exchange.ts";
import { sendError } from "./http/send.ts";
import { handleModel, handleModels } from "./models/handle-models.ts";

type Endpoint = (parts: ServiceParts, exchange: Exchange) => void | Promise<void>;

export const BASE_PATH = "/v1";
const MODEL_PATH = /^\/v1\/models\/([^/]+)$/;

/** The endpoint for a method and path, or the reason there is none (404 no such path, 405 wrong method). */
function endpointOf(method: string, path: string): Endpoint | KeelError {
  const byMethod: Record<string, Endpoint> = {};
  if (path === `${BASE_PATH}/chat/completions`) byMethod.POST = handleChat;
  else if (path === `${BASE_PATH}/embeddings`) byMethod.POST = handleEmbeddings;
  else if (path === `${BASE_PATH}/models`) byMethod.GET = handleModels;
  else {
    const model = MODEL_PATH.exec(path)?.[1];
    if (model !== undefined)
      byMethod.GET = (parts, exchange) => handleModel(parts, exchange, decodeURIComponent(model));
  }
  const allowed = Object.keys(byMethod);
  if (allowed.length === 0) {
    return new KeelError(
      "BAD_REQUEST",
      `no such endpoint: ${method} ${path}; served: POST ${BASE_PATH}/chat/completions, POST ${BASE_PATH}/embeddings, GET ${BASE_PATH}/models`,
      { details: { reason: "not-found" } },
    );
  }
  return (
    byMethod[method] ??
    new KeelError("BAD_REQUEST", `${path} takes ${allowed.join(", ")}, not ${method}`, {
      details: { reason: "method-not-allowed", allowed },
    })
  );
}

/**
 * The service's request handler: a request id, the caller (from its credential, see
 * identifyCaller), the endpoint, and one error answer in OpenAI's shape whatever failed.
 */
export function createRoutes(parts: ServiceParts) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    response.setHeader("x-request-id", requestId);
    response.setHeader("x-keel-request-id", requestId);
    const controller = new AbortController();
    response.once("close", () => {
      if (!response.writableFinished) controller.abort();
    });
    try {
      const endpoint = endpointOf(request.method ?? "GET", (request.url ?? "/").split("?", 1)[0] ?? "/");
      if (KeelError.isInstance(endpoint)) {
        request.resume();
        throw endpoint;
      }
      const caller = await identifyCaller(parts.edge, request);
      await endpoint(parts, { request, response, requestId, caller, signal: controller.signal });
    } catch (error) {
      // A refused key leaves the body unread: drain it so the connection can be reused.
      if (!request.complete) request.resume();
      if (response.headersSent) response.end();
      else sendError(response, toKeelError(error));
    }
  };
}
