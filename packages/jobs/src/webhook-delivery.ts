import { backoffDelay } from "./backoff.ts";
import type { DeliveryOutcome } from "./dispatcher.ts";
import type { JobEventListener } from "./events.ts";
import type { JobStore } from "./job-store.ts";
import type { BackoffOptions } from "./types.ts";
import { webhookPayload } from "./webhook-payload.ts";
import type { WebhookSender } from "./webhook-sender.ts";

export interface WebhookDeliveryOptions {
  store: JobStore;
  sender: WebhookSender;
  maxAttempts: number;
  backoff: BackoffOptions;
  onEvent: JobEventListener;
}

/**
 * One delivery attempt of a finished job's webhook, recorded on the job. A failure (non-2xx,
 * timeout, connection) is retried with backoff up to `maxAttempts`; an address the policy now
 * refuses ("blocked") is not retried. A job that expired before delivery is dropped.
 */
export function createWebhookDeliverer(options: WebhookDeliveryOptions): (id: string) => Promise<DeliveryOutcome> {
  return async (id) => {
    const record = await options.store.read(id);
    if (!record?.webhookUrl || (record.state !== "completed" && record.state !== "failed")) return { kind: "done" };
    const attempt = record.deliveries.length + 1;
    if (attempt > options.maxAttempts) return { kind: "done" };
    const payload = webhookPayload(record);
    const sent = await options.sender.send({ url: record.webhookUrl, body: payload.body, eventId: payload.eventId });
    await options.store.addDelivery(id, { attempt, at: new Date().toISOString(), ...sent });
    const gaveUp = sent.outcome === "failed" && (sent.reason === "blocked" || attempt >= options.maxAttempts);
    options.onEvent({
      type: "webhook-delivery",
      jobId: id,
      tenant: record.tenant,
      attempt,
      outcome: sent.outcome,
      ...(gaveUp ? { gaveUp } : {}),
      ...(sent.status === undefined ? {} : { status: sent.status }),
      ...(sent.reason === undefined ? {} : { reason: sent.reason }),
      durationMs: sent.durationMs,
      origin: new URL(record.webhookUrl).origin,
    });
    if (sent.outcome === "delivered" || gaveUp) return { kind: "done" };
    return { kind: "retry", delayMs: backoffDelay(options.backoff, attempt) };
  };
}
