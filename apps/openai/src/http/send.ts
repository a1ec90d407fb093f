import type { ServerResponse } from "node:http";
import type { KeelError } from "@keel/spec";
import { toOpenaiError } from "./openai-error.ts";

export function sendJson(
  response: ServerResponse,
  status: number,
  options: { body: unknown; headers?: Readonly<Record<string, string>> },
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(options.body);
  response.writeHead(status, {
    ...options.headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * A failure in OpenAI's error shape. `x-should-retry` carries Keel's own verdict to the
 * OpenAI SDKs, which read it before their status rules: a CIRCUIT_OPEN 503 or a deadline
 * 504 is not worth the SDK's automatic retries, a shed 502 is. `retry-after-ms` passes on
 * an upstream's Retry-After.
 */
export function sendError(response: ServerResponse, error: KeelError): void {
  const { status, body } = toOpenaiError(error);
  const headers: Record<string, string> = { "x-should-retry": String(error.retryable) };
  if (error.retryAfterMs !== undefined) headers["retry-after-ms"] = String(Math.ceil(error.retryAfterMs));
  sendJson(response, status, { body, headers });
}
