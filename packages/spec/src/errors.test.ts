import { describe, expect, it } from "vitest";
import { KeelError, isRetryable, isRetryableStatus, toKeelError } from "./index.ts";

describe("KeelError", () => {
  it("derives retryability from the upstream status", () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 422]) expect(isRetryableStatus(status)).toBe(false);
    expect(isRetryable(new KeelError("UPSTREAM_UNAVAILABLE", "boom", { status: 503 }))).toBe(true);
    expect(isRetryable(new KeelError("BAD_REQUEST", "no", { status: 400 }))).toBe(false);
  });

  it("derives retryability from the code when there is no status", () => {
    expect(new KeelError("UPSTREAM_TIMEOUT", "slow").retryable).toBe(true);
    expect(new KeelError("CIRCUIT_OPEN", "open").retryable).toBe(false);
    expect(new KeelError("UPSTREAM_TIMEOUT", "slow", { retryable: false }).retryable).toBe(false);
  });

  it("is recognised across package copies through its marker, not instanceof", () => {
    const lookalike = Object.assign(Object.create(null), { [Symbol.for("keel.error")]: true });
    expect(KeelError.isInstance(lookalike)).toBe(true);
    expect(KeelError.isInstance(new Error("plain"))).toBe(false);
  });

  it("hides unknown errors behind INTERNAL with a generic message", () => {
    const error = toKeelError(new Error("secret sk-123 in a stack"));
    expect(error.code).toBe("INTERNAL");
    expect(JSON.stringify(error.toJSON())).not.toContain("sk-123");
    expect(isRetryable(new Error("plain"))).toBe(false);
  });

  it("maps aborts to a non-retryable UPSTREAM_TIMEOUT", () => {
    const abort = new DOMException("aborted", "AbortError");
    const error = toKeelError(abort);
    expect(error.code).toBe("UPSTREAM_TIMEOUT");
    expect(error.retryable).toBe(false);
  });
});
