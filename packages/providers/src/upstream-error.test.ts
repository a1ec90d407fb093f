import { KeelError } from "@keel/spec";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { describe, expect, it } from "vitest";
import { upstreamError } from "./upstream-error.ts";

const target = "openai/gpt-4o-mini";

/** The SDK's own factory, as its client calls it for a non-2xx response. */
function statusError(status: number, body: object | undefined, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, body, undefined, new Headers(headers));
}

describe("upstreamError", () => {
  it("maps 429 to UPSTREAM_RATE_LIMITED with Retry-After kept", () => {
    const error = upstreamError(
      statusError(429, { error: { message: "slow down", code: "rate_limit_exceeded" } }, { "retry-after": "3" }),
      target,
    );
    expect(error.code).toBe("UPSTREAM_RATE_LIMITED");
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(3_000);
    expect(error.details).toMatchObject({ target, reason: "rate-limited" });
  });

  it("treats an exhausted quota as a 429 that waiting does not fix", () => {
    const error = upstreamError(
      statusError(429, { error: { message: "You exceeded your current quota", code: "insufficient_quota" } }),
      target,
    );
    expect(error.code).toBe("UPSTREAM_RATE_LIMITED");
    expect(error.retryable).toBe(false);
    expect(error.details.reason).toBe("quota");
  });

  it("maps 5xx and 409 to a retryable UPSTREAM_UNAVAILABLE", () => {
    for (const status of [409, 500, 502, 503, 504]) {
      const error = upstreamError(statusError(status, { error: { message: "oops" } }), target);
      expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
      expect(error.retryable).toBe(true);
      expect(error.status).toBe(status);
      expect(error.details.target).toBe(target);
    }
    expect(upstreamError(statusError(503, undefined, { "retry-after-ms": "40" }), target).retryAfterMs).toBe(40);
  });

  it("maps 408 and SDK connection timeouts to a retryable UPSTREAM_TIMEOUT", () => {
    const request = upstreamError(statusError(408, { error: { message: "timeout" } }), target);
    expect([request.code, request.retryable]).toEqual(["UPSTREAM_TIMEOUT", true]);
    const connection = upstreamError(new APIConnectionTimeoutError(), target);
    expect([connection.code, connection.retryable, connection.details.reason]).toEqual([
      "UPSTREAM_TIMEOUT",
      true,
      "timeout",
    ]);
  });

  it("maps 400/404/422 to BAD_REQUEST, naming context length and unknown models", () => {
    const context = upstreamError(
      statusError(400, {
        error: { message: "maximum context length is 8192 tokens", code: "context_length_exceeded" },
      }),
      target,
    );
    expect([context.code, context.retryable, context.details.reason]).toEqual(["BAD_REQUEST", false, "context-length"]);
    expect(context.message).toBe(`${target}: the prompt is longer than the model's context window (400)`);
    const model = upstreamError(
      statusError(404, { error: { message: "The model `nope` does not exist", code: "model_not_found" } }),
      target,
    );
    expect([model.code, model.retryable, model.details.reason, model.status]).toEqual([
      "BAD_REQUEST",
      false,
      "unknown-model",
      404,
    ]);
    const invalid = upstreamError(statusError(422, { error: { message: "bad field" } }), target);
    expect([invalid.code, invalid.retryable]).toEqual(["BAD_REQUEST", false]);
  });

  it("maps a content-policy refusal to CONTENT_BLOCKED, OpenAI's and Azure's codes alike", () => {
    for (const code of ["content_policy_violation", "content_filter"]) {
      const error = upstreamError(statusError(400, { error: { message: "refused", code } }), target);
      expect([error.code, error.retryable, error.details.reason]).toEqual(["CONTENT_BLOCKED", false, "content-policy"]);
    }
  });

  it("maps 401/403 to a non-retryable upstream-auth failure without echoing the key", () => {
    for (const status of [401, 403]) {
      const upstream = statusError(status, {
        error: {
          message: "Incorrect API key provided: sk-proj-abc123********************xyz9",
          code: "invalid_api_key",
        },
      });
      const error = upstreamError(upstream, target);
      expect([error.code, error.retryable, error.details.reason]).toEqual([
        "UPSTREAM_UNAVAILABLE",
        false,
        "upstream-auth",
      ]);
      expect(error.message).not.toContain("sk-");
      expect(JSON.stringify(error.toJSON())).not.toContain("sk-");
    }
  });

  it("words every upstream failure itself: the upstream's text (account ids, quota, hosts, secrets) never reaches the caller", () => {
    const leaks = [
      [500, { error: { message: "internal: db password=hunter2 at 10.0.0.5" } }, "the upstream failed (500)"],
      [
        429,
        {
          error: {
            message:
              "Rate limit reached for gpt-4o in organization org-AbCdEf123456 on tokens per min: Limit 30000, Used 29998",
            code: "rate_limit_exceeded",
          },
        },
        "the upstream is rate limiting Keel (429)",
      ],
      [
        429,
        {
          error: { message: "You exceeded your current quota (org-AbCdEf123456, $120.00)", code: "insufficient_quota" },
        },
        "the upstream account's quota is exhausted (429)",
      ],
      [
        400,
        { error: { message: "header Authorization: Bearer sk-live-1234567890 rejected" } },
        "the upstream refused the request as invalid (400)",
      ],
      [
        404,
        {
          error: {
            message: "The model `gpt-5` does not exist or you do not have access to it",
            code: "model_not_found",
          },
        },
        "the upstream does not serve this model (404)",
      ],
    ] as const;
    for (const [status, body, words] of leaks) {
      const upstream = statusError(status, body);
      const error = upstreamError(upstream, target);
      expect(error.message).toBe(`${target}: ${words}`);
      const wire = JSON.stringify(error.toJSON());
      for (const secret of ["hunter2", "10.0.0.5", "org-AbCdEf", "29998", "$120", "sk-live", "gpt-5"]) {
        expect(wire).not.toContain(secret);
      }
      // The upstream's own words stay on the cause, for the (redacted) log only.
      expect(error.cause).toBe(upstream);
      expect(error.status).toBe(status);
    }
  });

  it("keeps only code-shaped upstream codes in details", () => {
    const error = upstreamError(
      statusError(500, { error: { message: "x", code: "see 10.0.0.5 for details" } }),
      target,
    );
    expect(error.details.upstreamCode).toBeUndefined();
    expect(
      upstreamError(statusError(503, { error: { message: "x", code: "server_error" } }), target).details,
    ).toMatchObject({ upstreamCode: "server_error" });
  });

  it("maps connection failures by their cause", () => {
    const reset = new APIConnectionError({
      cause: new TypeError("fetch failed", {
        cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      }),
    });
    expect([upstreamError(reset, target).code, upstreamError(reset, target).details.reason]).toEqual([
      "UPSTREAM_UNAVAILABLE",
      "reset",
    ]);
    const refused = new APIConnectionError({
      cause: new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }),
    });
    expect(upstreamError(refused, target).details.reason).toBe("refused");
    const malformed = upstreamError(new SyntaxError("Unexpected token < in JSON"), target);
    expect([malformed.code, malformed.retryable, malformed.details.reason]).toEqual([
      "UPSTREAM_UNAVAILABLE",
      true,
      "malformed",
    ]);
  });

  it("maps an abort to a non-retryable UPSTREAM_TIMEOUT", () => {
    for (const abort of [new APIUserAbortError(), new DOMException("aborted", "AbortError")]) {
      const error = upstreamError(abort, target);
      expect([error.code, error.retryable, error.details.reason, error.details.target]).toEqual([
        "UPSTREAM_TIMEOUT",
        false,
        "aborted",
        target,
      ]);
    }
  });

  it("keeps a streamed error object's meaning, and passes KeelErrors through", () => {
    // What the SDK throws for an `{"error": {...}}` event inside an SSE stream: no status.
    const streamed = upstreamError(
      new APIError(undefined, { message: "refused", code: "content_policy_violation" }, undefined, undefined),
      target,
    );
    expect(streamed.code).toBe("CONTENT_BLOCKED");
    const other = upstreamError(
      new APIError(undefined, { message: "overloaded", code: "server_error" }, undefined, undefined),
      target,
    );
    expect([other.code, other.retryable]).toEqual(["UPSTREAM_UNAVAILABLE", true]);
    const original = new KeelError("CIRCUIT_OPEN", "open");
    expect(upstreamError(original, target)).toBe(original);
  });

  it("does not pass on a non-JSON error page", () => {
    const error = upstreamError(
      APIError.generate(502, undefined, "<html>Bad Gateway from proxy 10.0.0.7</html>", new Headers()),
      target,
    );
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.message).not.toContain("10.0.0.7");
  });
});
