import { HTTP_STATUS_BY_CODE, type KeelError, type KeelErrorCode, type KeelErrorDetails } from "@keel/spec";

/**
 * OpenAI's error object, as its SDKs read it (`error.message`, `.type`, `.param`, `.code`),
 * with Keel's code in `code` and the caller-safe rest of the KeelError in `keel`.
 */
export interface OpenaiErrorObject {
  message: string;
  type: string;
  param: string | null;
  /** Keel's code: BAD_REQUEST, UPSTREAM_TIMEOUT, ... (docs/design.md, Errors). */
  code: KeelErrorCode;
  keel: { retryable: boolean; details: KeelErrorDetails };
}

export interface OpenaiErrorAnswer {
  status: number;
  body: { error: OpenaiErrorObject };
}

/**
 * Statuses more precise than the code's own (HTTP_STATUS_BY_CODE), by the reason Keel gives:
 * OpenAI answers an unknown model with 404, and HTTP has its own words for a body too large,
 * a body that is not JSON, a path or a method that does not exist.
 */
const STATUS_BY_REASON: Readonly<Record<string, number>> = {
  "unknown-model": 404,
  "not-found": 404,
  "method-not-allowed": 405,
  "body-too-large": 413,
  "unsupported-media-type": 415,
};

/** OpenAI's `type` for each status, so an SDK or a log reads the failure as OpenAI would word it. */
function typeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** A KeelError as OpenAI's error answer: the status, and the body `{ error: {...} }`. */
export function toOpenaiError(error: KeelError): OpenaiErrorAnswer {
  const reason = typeof error.details.reason === "string" ? error.details.reason : undefined;
  const status = (reason === undefined ? undefined : STATUS_BY_REASON[reason]) ?? HTTP_STATUS_BY_CODE[error.code];
  const field = error.details.field;
  return {
    status,
    body: {
      error: {
        message: error.message,
        type: typeOf(status),
        param: typeof field === "string" && !field.startsWith("(") ? field : null,
        code: error.code,
        keel: { retryable: error.retryable, details: error.details },
      },
    },
  };
}
