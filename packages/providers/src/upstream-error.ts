import { KeelError, isAbortError, type KeelErrorCode } from "@keel/spec";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { readLimitError } from "./read-limits.ts";
import { parseRetryAfter } from "./retry-after.ts";

/**
 * Turns whatever the SDK threw for a call to `target` ("provider/model") into a
 * KeelError: status, retryability and Retry-After kept, `details.target` always set,
 * and a message that never carries the API key or any header.
 */
export function upstreamError(error: unknown, target: string): KeelError {
  if (KeelError.isInstance(error)) return error;
  const overLimit = readLimitError(error, target);
  if (overLimit !== undefined) return overLimit;
  if (error instanceof APIUserAbortError || isAbortError(error)) return abortedError(target, error);
  if (error instanceof APIConnectionTimeoutError) {
    return new KeelError("UPSTREAM_TIMEOUT", `${target}: the upstream did not answer in time`, {
      cause: error,
      details: { target, reason: "timeout" },
    });
  }
  if (error instanceof APIError && error.status !== undefined) return fromStatus(error, error.status, target);
  if (error instanceof APIError && !(error instanceof APIConnectionError)) return fromStreamedError(error, target);
  // Connection failures (refused, reset, dropped mid-body) and bodies that do not parse.
  const reason = error instanceof SyntaxError ? "malformed" : connectionReason(error);
  return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: ${REASON_TEXT[reason] ?? "the upstream call failed"}`, {
    cause: error,
    retryable: true,
    details: { target, reason },
  });
}

/** The caller (ctx.signal) gave up: not the upstream's fault, and not worth retrying. */
export function abortedError(target: string, cause?: unknown): KeelError {
  return new KeelError("UPSTREAM_TIMEOUT", `${target}: the request was aborted`, {
    cause,
    retryable: false,
    details: { target, reason: "aborted" },
  });
}

const REASON_TEXT: Record<string, string> = {
  malformed: "the upstream sent a malformed response",
  reset: "the upstream connection was reset",
  refused: "the upstream refused the connection",
  connection: "could not reach the upstream",
};

function fromStatus(error: APIError, status: number, target: string): KeelError {
  const upstreamCode = safeCode(error.code);
  const options = (code: KeelErrorCode, reason: string, retryable?: boolean) =>
    new KeelError(code, `${target}: ${REASON_WORDS[reason] ?? "the upstream refused the request"} (${status})`, {
      status,
      cause: error,
      ...(retryable === undefined ? {} : { retryable }),
      details: { target, reason, ...(upstreamCode ? { upstreamCode } : {}) },
    });

  if (isContentPolicy(upstreamCode)) return options("CONTENT_BLOCKED", "content-policy", false);
  if (status === 401 || status === 403) {
    // Keel's own credentials are wrong: say so without echoing the upstream's text,
    // which for OpenAI quotes part of the key (not even kept as the cause, for the log).
    return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: the upstream rejected Keel's credentials (${status})`, {
      status,
      retryable: false,
      details: { target, reason: "upstream-auth" },
    });
  }
  if (status === 429) {
    // An exhausted quota is a 429 that no amount of waiting fixes.
    if (upstreamCode === "insufficient_quota") return options("UPSTREAM_RATE_LIMITED", "quota", false);
    return new KeelError("UPSTREAM_RATE_LIMITED", `${target}: ${REASON_WORDS["rate-limited"]} (${status})`, {
      status,
      cause: error,
      retryAfterMs: parseRetryAfter(error.headers),
      details: { target, reason: "rate-limited", ...(upstreamCode ? { upstreamCode } : {}) },
    });
  }
  if (status === 408) return options("UPSTREAM_TIMEOUT", "timeout");
  if (status >= 500 || status === 409) {
    const retryAfterMs = parseRetryAfter(error.headers);
    return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: ${REASON_WORDS["server-error"]} (${status})`, {
      status,
      cause: error,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      details: { target, reason: "server-error", ...(upstreamCode ? { upstreamCode } : {}) },
    });
  }
  if (upstreamCode === "context_length_exceeded") return options("BAD_REQUEST", "context-length", false);
  if (upstreamCode === "model_not_found") return options("BAD_REQUEST", "unknown-model", false);
  if (status === 404) return options("BAD_REQUEST", "not-found", false);
  return options("BAD_REQUEST", "invalid-request", false);
}

/** An `error` object sent inside an SSE stream: no status, only the upstream's code. */
function fromStreamedError(error: APIError, target: string): KeelError {
  const upstreamCode = safeCode(error.code);
  const base = { cause: error, details: { target, reason: "stream-error", ...(upstreamCode ? { upstreamCode } : {}) } };
  if (isContentPolicy(upstreamCode)) {
    return new KeelError("CONTENT_BLOCKED", `${target}: ${REASON_WORDS["content-policy"]} (in the stream)`, {
      ...base,
      retryable: false,
      details: { ...base.details, reason: "content-policy" },
    });
  }
  if (upstreamCode === "context_length_exceeded") {
    return new KeelError("BAD_REQUEST", `${target}: ${REASON_WORDS["context-length"]} (in the stream)`, {
      ...base,
      retryable: false,
      details: { ...base.details, reason: "context-length" },
    });
  }
  return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: ${REASON_WORDS["stream-error"]}`, {
    ...base,
    retryable: true,
  });
}

/**
 * Keel's own words for each kind of upstream failure. The upstream's message never goes
 * to a caller: it carries account details (organisation ids, quota figures, internal
 * hosts, echoed credentials). It stays on the error's `cause`, which only the log reads,
 * through telemetry's redaction.
 */
const REASON_WORDS: Record<string, string> = {
  "content-policy": "the upstream refused the request under its content policy",
  quota: "the upstream account's quota is exhausted",
  "rate-limited": "the upstream is rate limiting Keel",
  timeout: "the upstream timed out",
  "server-error": "the upstream failed",
  "context-length": "the prompt is longer than the model's context window",
  "unknown-model": "the upstream does not serve this model",
  "not-found": "the upstream answered not found",
  "invalid-request": "the upstream refused the request as invalid",
  "stream-error": "the upstream reported an error in the stream",
};

/** The upstream's error code, if it looks like one (`context_length_exceeded`); free text is dropped. */
function safeCode(code: string | null | undefined): string | undefined {
  return typeof code === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
}

// OpenAI says content_policy_violation; Azure OpenAI's content filter says content_filter.
function isContentPolicy(upstreamCode: string | undefined): boolean {
  return upstreamCode === "content_policy_violation" || upstreamCode === "content_filter";
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  ECONNREFUSED: "refused",
};

/** Walks the cause chain (SDK error -> "fetch failed" -> socket error) for a network code. */
function connectionReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
    if (current instanceof Error && current.message === "terminated") return "reset";
    current = (current as { cause?: unknown }).cause;
  }
  return "connection";
}
