import type { TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODE_NUMBER, TRPCError } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { HTTP_STATUS_BY_CODE, KeelError, type KeelErrorCode, type KeelErrorDetails } from "@keel/spec";
import { badRequestFromZod, unsupportedMediaType } from "@keel/core";
import type { ZodError } from "zod";
import { TRANSPORT_CODES, TRPC_CODE_BY_KEEL_CODE } from "./error-codes.ts";

/** `error.data` as callers see it: the Keel code to branch on, and caller-safe details. */
export interface KeelTrpcErrorData {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  path?: string;
  keelCode: KeelErrorCode;
  retryable: boolean;
  details: KeelErrorDetails;
}

export interface KeelTrpcErrorShape {
  /** tRPC's numeric code. Typed as tRPC's union (not `number`), or tRPC cannot infer this shape and clients see its default error data. */
  code: TRPC_ERROR_CODE_NUMBER;
  message: string;
  data: KeelTrpcErrorData;
}

const TRANSPORT_STATUS: Partial<Record<TRPC_ERROR_CODE_KEY, number>> = {
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/**
 * The one error formatter of the service. Whatever was thrown, the caller gets a Keel
 * code, a message and caller-safe details; never a stack trace (data is rebuilt from
 * scratch, so tRPC's `data.stack` is never copied) and never an unknown error's message.
 */
export function formatError(options: { error: TRPCError; path: string | undefined }): KeelTrpcErrorShape {
  const { error, path } = options;
  const keelError = toCallerError(error);
  const transport = TRANSPORT_CODES.has(error.code);
  const trpcCode = transport ? error.code : TRPC_CODE_BY_KEEL_CODE[keelError.code];
  const data: KeelTrpcErrorData = {
    code: trpcCode,
    httpStatus: (transport ? TRANSPORT_STATUS[error.code] : undefined) ?? HTTP_STATUS_BY_CODE[keelError.code],
    keelCode: keelError.code,
    retryable: keelError.retryable,
    details: keelError.details,
  };
  if (path !== undefined) data.path = path;
  return { code: TRPC_ERROR_CODES_BY_KEY[trpcCode], message: keelError.message, data };
}

function toCallerError(error: TRPCError): KeelError {
  const cause: unknown = error.cause;
  if (KeelError.isInstance(cause)) return cause;
  if (KeelError.isInstance(error)) return error;
  if (error.code === "BAD_REQUEST" && hasIssues(cause)) return badRequestFromZod(cause as ZodError);
  // tRPC reads the JSON body lazily and reports a parse failure as BAD_REQUEST caused by a SyntaxError.
  if (error.code === "BAD_REQUEST" && cause instanceof SyntaxError) {
    return new KeelError("BAD_REQUEST", "malformed JSON body", {
      details: { field: "(body)", reason: "malformed-json" },
    });
  }
  if (error.code === "UNSUPPORTED_MEDIA_TYPE") {
    // tRPC's own text (`Unsupported content-type "text/plain`) lacks its closing quote and says nothing of what to send.
    return unsupportedMediaType(/content-type "(.*)$/.exec(error.message)?.[1]);
  }
  if (error.code === "PAYLOAD_TOO_LARGE") {
    return new KeelError("BAD_REQUEST", "request body too large", {
      details: { field: "(body)", reason: "body-too-large" },
    });
  }
  // tRPC's own request errors (unknown procedure, wrong method, batch shape) carry
  // messages tRPC wrote, not secrets; everything else stays behind a generic INTERNAL.
  if (TRANSPORT_CODES.has(error.code) || error.code === "BAD_REQUEST" || error.code === "PARSE_ERROR") {
    return new KeelError("BAD_REQUEST", error.message, { details: { reason: error.code.toLowerCase() } });
  }
  return new KeelError("INTERNAL", "internal error");
}

function hasIssues(value: unknown): boolean {
  return typeof value === "object" && value !== null && Array.isArray((value as { issues?: unknown }).issues);
}
