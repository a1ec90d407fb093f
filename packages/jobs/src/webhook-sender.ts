import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { KeelError } from "@keel/spec";
import type { WebhookPolicy } from "./webhook-policy.ts";
import { SIGNATURE_HEADER, signWebhookBody } from "./webhook-signature.ts";
import type { WebhookDelivery } from "./types.ts";

export interface SendInput {
  url: string;
  body: string;
  /** Sent as `keel-webhook-id`: stable across retries, so receivers can drop duplicates. */
  eventId: string;
}

export type SendOutcome = Pick<WebhookDelivery, "outcome" | "status" | "reason" | "durationMs">;

export interface WebhookSender {
  send(input: SendInput): Promise<SendOutcome>;
}

/** Answers node's DNS lookup with the address the policy already checked, so no second lookup can rebind. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * POSTs signed webhook bodies. The host is resolved and checked by the policy right before
 * every attempt and the connection pinned to that address (DNS rebinding), redirects are not
 * followed, and the whole exchange is bounded by `timeoutMs`.
 */
export function createWebhookSender(options: {
  policy: WebhookPolicy;
  secret: string;
  timeoutMs: number;
}): WebhookSender {
  return {
    async send({ url, body, eventId }) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let target: Awaited<ReturnType<WebhookPolicy["resolve"]>>;
      try {
        target = await options.policy.resolve(url);
      } catch (error) {
        if (KeelError.isInstance(error) && error.details.reason === "unresolvable") {
          return { outcome: "failed", reason: "connection", durationMs: elapsed() };
        }
        return { outcome: "failed", reason: "blocked", durationMs: elapsed() };
      }
      const timestamp = Math.floor(Date.now() / 1_000);
      const requestOptions: RequestOptions = {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "keel-webhooks/1",
          "keel-webhook-id": eventId,
          [SIGNATURE_HEADER]: signWebhookBody({ secret: options.secret, body, timestamp }),
        },
        lookup: pinnedLookup(target.address, target.family),
        signal: AbortSignal.timeout(options.timeoutMs),
        agent: false,
      };
      const send = target.url.protocol === "https:" ? httpsRequest : httpRequest;
      return new Promise<SendOutcome>((resolve) => {
        const outgoing = send(target.url, requestOptions, (incoming) => {
          const status = incoming.statusCode ?? 0;
          // The body is not needed; drain it so the socket closes cleanly.
          incoming.resume();
          incoming.on("error", () => {});
          const delivered = status >= 200 && status < 300;
          resolve(
            delivered
              ? { outcome: "delivered", status, durationMs: elapsed() }
              : { outcome: "failed", status, reason: "status", durationMs: elapsed() },
          );
        });
        outgoing.on("error", (error) => {
          const timedOut = error.name === "AbortError" || error.name === "TimeoutError";
          resolve({ outcome: "failed", reason: timedOut ? "timeout" : "connection", durationMs: elapsed() });
        });
        outgoing.end(body);
      });
    },
  };
}
