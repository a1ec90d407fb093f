import type { ServerResponse } from "node:http";
import type { KeelErrorCode, KeelErrorDetails } from "@keel/spec";

export interface EarlyError {
  code: KeelErrorCode;
  message: string;
  details: KeelErrorDetails;
}

/**
 * Answers before GraphQL runs (no route, body too large, body not JSON) in the
 * GraphQL-over-HTTP error shape, with the same extensions as every other error.
 */
export function sendErrors(response: ServerResponse, status: number, error: EarlyError): void {
  const extensions = { code: error.code, retryable: false, details: error.details };
  const text = JSON.stringify({ errors: [{ message: error.message, extensions }] });
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
