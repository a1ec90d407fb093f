import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import type { KeelErrorCode } from "@keel/spec";

/**
 * Keel code -> tRPC code. tRPC derives the HTTP status from its code, and these agree
 * with HTTP_STATUS_BY_CODE in @keel/spec (a test checks that), so both services answer
 * a failure with the same status.
 */
export const TRPC_CODE_BY_KEEL_CODE: Readonly<Record<KeelErrorCode, TRPC_ERROR_CODE_KEY>> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  BUDGET_EXCEEDED: "PAYMENT_REQUIRED",
  CONTENT_BLOCKED: "UNPROCESSABLE_CONTENT",
  VALIDATION_FAILED: "UNPROCESSABLE_CONTENT",
  UPSTREAM_TIMEOUT: "GATEWAY_TIMEOUT",
  UPSTREAM_RATE_LIMITED: "TOO_MANY_REQUESTS",
  UPSTREAM_UNAVAILABLE: "BAD_GATEWAY",
  CIRCUIT_OPEN: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/**
 * Failures tRPC itself raises before a procedure runs. They are the caller's fault, so
 * they become Keel's BAD_REQUEST, but keep tRPC's more precise code and status
 * (404 unknown procedure, 405 wrong method, 413 body too large, 415 media type).
 */
export const TRANSPORT_CODES: ReadonlySet<TRPC_ERROR_CODE_KEY> = new Set<TRPC_ERROR_CODE_KEY>([
  "NOT_FOUND",
  "METHOD_NOT_SUPPORTED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
]);
