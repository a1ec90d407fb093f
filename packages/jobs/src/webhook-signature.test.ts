import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhookBody, verifyWebhookSignature } from "./webhook-signature.ts";

const secret = "whsec_test";
const body = '{"id":"job_1.completed","type":"job.completed"}';
const timestamp = 1_700_000_000;
const now = timestamp * 1_000;

describe("webhook signatures", () => {
  it("signs HMAC-SHA256 over the timestamp, a dot and the body, in the documented header format", () => {
    const expected = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
    expect(signWebhookBody({ secret, body, timestamp })).toBe(`t=${timestamp},v1=${expected}`);
  });

  it("verifies a good signature, from a string or the raw bytes", () => {
    const header = signWebhookBody({ secret, body, timestamp });
    expect(verifyWebhookSignature({ secret, header, body, now })).toEqual({ ok: true, timestamp });
    expect(verifyWebhookSignature({ secret, header, body: Buffer.from(body), now })).toEqual({ ok: true, timestamp });
  });

  it("rejects a changed body, a wrong secret and a changed timestamp", () => {
    const header = signWebhookBody({ secret, body, timestamp });
    expect(verifyWebhookSignature({ secret, header, body: `${body} `, now })).toEqual({
      ok: false,
      reason: "signature-mismatch",
    });
    expect(verifyWebhookSignature({ secret: "other", header, body, now }).ok).toBe(false);
    const shifted = header.replace(`t=${timestamp}`, `t=${timestamp + 1}`);
    expect(verifyWebhookSignature({ secret, header: shifted, body, now })).toEqual({
      ok: false,
      reason: "signature-mismatch",
    });
  });

  it("rejects a replay outside the tolerance window, in either direction", () => {
    const header = signWebhookBody({ secret, body, timestamp });
    expect(verifyWebhookSignature({ secret, header, body, now: now + 301_000 })).toEqual({
      ok: false,
      reason: "timestamp-out-of-tolerance",
    });
    expect(verifyWebhookSignature({ secret, header, body, now: now - 301_000 }).ok).toBe(false);
    expect(verifyWebhookSignature({ secret, header, body, now: now + 60_000, toleranceSeconds: 30 }).ok).toBe(false);
    expect(verifyWebhookSignature({ secret, header, body, now: now + 299_000 }).ok).toBe(true);
  });

  it("accepts any of several secrets (rotation) and any of several v1 entries", () => {
    const header = signWebhookBody({ secret, body, timestamp });
    expect(verifyWebhookSignature({ secret: ["new", secret], header, body, now }).ok).toBe(true);
    const twoEntries = `${header},v1=${"0".repeat(64)}`;
    expect(verifyWebhookSignature({ secret, header: twoEntries, body, now }).ok).toBe(true);
  });

  it.each([undefined, "", "v1=abc", "t=abc,v1=abc", `t=${timestamp}`, `t=${timestamp},v0=abc`])(
    "reports a malformed header %j",
    (header) => {
      expect(verifyWebhookSignature({ secret, header, body, now })).toEqual({ ok: false, reason: "malformed-header" });
    },
  );
});
