import type { FallbackFailure } from "./generation.ts";

/**
 * Keel's one error class. Every failure that leaves a package, a service or the
 * pipeline is a KeelError with a stable `code` from a closed set, so both services
 * can map it the same way and callers can branch on it.
 */
export const KEEL_ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "RATE_LIMITED",
  "BUDGET_EXCEEDED",
  "CONTENT_BLOCKED",
  "VALIDATION_FAILED",
  "UPSTREAM_TIMEOUT",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_UNAVAILABLE",
  "CIRCUIT_OPEN",
  "INTERNAL",
] as const;

export type KeelErrorCode = (typeof KEEL_ERROR_CODES)[number];

/** Extra, caller-safe facts about a failure. Never holds secrets or stack traces. */
export interface KeelErrorDetails {
  /** Field path for BAD_REQUEST, e.g. "messages.0.content". */
  field?: string;
  /** Which target (provider/model) failed, for upstream errors. */
  target?: string;
  /** Why the failure happened in a word: "timeout", "reset", "context-length", ... */
  reason?: string;
  /** Upstream calls made for the request before it failed (retries and fallback targets included). */
  attempts?: number;
  /** When a fallback chain gave up: every target that failed, in order, so a stale or static answer can still report it. */
  fallback?: FallbackFailure[];
  [key: string]: unknown;
}

export interface KeelErrorOptions {
  /** HTTP status received from the upstream, when there was one. */
  status?: number;
  /** Overrides the default retryability derived from code and status. */
  retryable?: boolean;
  /** Upstream asked us to wait this long before retrying (from Retry-After). */
  retryAfterMs?: number;
  details?: KeelErrorDetails;
  cause?: unknown;
}

// A marker symbol instead of `instanceof`, so the check survives two copies of this
// package in one process (the vercel/ai pattern).
const marker = Symbol.for("keel.error");

export class KeelError extends Error {
  readonly [marker] = true;
  readonly code: KeelErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: KeelErrorDetails;

  constructor(code: KeelErrorCode, message: string, options: KeelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeelError";
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? defaultRetryable(code, options.status);
  }

  static isInstance(value: unknown): value is KeelError {
    return typeof value === "object" && value !== null && (value as { [marker]?: unknown })[marker] === true;
  }

  /** The caller-safe view: what services send over the wire. */
  toJSON(): KeelErrorBody {
    return { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

export interface KeelErrorBody {
  code: KeelErrorCode;
  message: string;
  retryable: boolean;
  details: KeelErrorDetails;
}

const RETRYABLE_CODES: ReadonlySet<KeelErrorCode> = new Set([
  "UPSTREAM_TIMEOUT",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_UNAVAILABLE",
]);

/** Retryable: timeouts, connection errors, 408, 409, 429 and 5xx. Never 400/401/403/404/422. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function defaultRetryable(code: KeelErrorCode, status: number | undefined): boolean {
  if (status !== undefined) return isRetryableStatus(status);
  return RETRYABLE_CODES.has(code);
}

/** True when trying the same call again may succeed. Unknown errors are not retried. */
export function isRetryable(error: unknown): boolean {
  return KeelError.isInstance(error) && error.retryable;
}

/**
 * Turns anything thrown into a KeelError. Unknown errors become INTERNAL with a generic
 * message, so no stack trace or upstream secret ever reaches a caller.
 */
export function toKeelError(error: unknown): KeelError {
  if (KeelError.isInstance(error)) return error;
  if (isAbortError(error)) {
    return new KeelError("UPSTREAM_TIMEOUT", "the request was aborted", {
      cause: error,
      retryable: false,
      details: { reason: "aborted" },
    });
  }
  return new KeelError("INTERNAL", "internal error", { cause: error });
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** HTTP status a service answers with for each code (one table, used by both services). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<KeelErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 402,
  CONTENT_BLOCKED: 422,
  VALIDATION_FAILED: 422,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 502,
  CIRCUIT_OPEN: 503,
  INTERNAL: 500,
};
