import { createHmac, timingSafeEqual } from "node:crypto";

/** The header that carries the signature: `keel-signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = "keel-signature";

/** HMAC-SHA256 over `${timestamp}.${body}`, hex. */
function signatureOf(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** The `keel-signature` header value for a body sent at `timestamp` (unix seconds). */
export function signWebhookBody(options: { secret: string; body: string; timestamp: number }): string {
  return `t=${options.timestamp},v1=${signatureOf(options.secret, options.timestamp, options.body)}`;
}

export interface VerifyWebhookOptions {
  /** The shared secret; several during a rotation (any may match). */
  secret: string | string[];
  /** The `keel-signature` header as received. */
  header: string | undefined;
  /** The raw body bytes as received: verify before parsing, since re-serialised JSON may differ. */
  body: string | Uint8Array;
  /** How old (or how far in the future) the timestamp may be. Default 300 s. */
  toleranceSeconds?: number;
  /** Epoch milliseconds; default Date.now(). */
  now?: number;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "malformed-header" | "timestamp-out-of-tolerance" | "signature-mismatch" };

/**
 * Checks a webhook's signature for a receiver: the timestamp within the replay window, and an
 * HMAC compared in constant time. Returns a value, never throws: a bad signature is an expected
 * outcome. The header may carry several `v1=` entries; one match suffices.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): WebhookVerification {
  const parts = (options.header ?? "").split(",").map((part) => part.trim().split("="));
  const timestampText = parts.find(([name]) => name === "t")?.[1];
  const candidates = parts.filter(([name, value]) => name === "v1" && value).map(([, value]) => value as string);
  const timestamp = Number(timestampText);
  if (!timestampText || !/^\d+$/.test(timestampText) || candidates.length === 0) {
    return { ok: false, reason: "malformed-header" };
  }
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1_000);
  if (Math.abs(nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) {
    return { ok: false, reason: "timestamp-out-of-tolerance" };
  }
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
  for (const secret of secrets) {
    const expected = Buffer.from(signatureOf(secret, timestamp, options.body), "utf8");
    for (const candidate of candidates) {
      const given = Buffer.from(candidate, "utf8");
      if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, timestamp };
    }
  }
  return { ok: false, reason: "signature-mismatch" };
}
