import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.ts";

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads delay-seconds, whole and fractional", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }), now)).toBe(2_000);
    expect(parseRetryAfter(new Headers({ "retry-after": "0.25" }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after": " 0 " }), now)).toBe(0);
  });

  it("reads an HTTP-date relative to now, and a past date as 0", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }), now)).toBe(3_000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Tue, 31 Dec 2024 23:59:00 GMT" }), now)).toBe(0);
  });

  it("prefers retry-after-ms, which is finer grained", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "150", "retry-after": "1" }), now)).toBe(150);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "12.5" }), now)).toBe(13);
  });

  it("falls back to retry-after when retry-after-ms is garbage, and ignores garbage", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "soon", "retry-after": "1" }), now)).toBe(1_000);
    expect(parseRetryAfter(new Headers({ "retry-after": "later" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "-5" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
