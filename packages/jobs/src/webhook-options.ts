import { KeelError } from "@keel/spec";
import { DEFAULT_BACKOFF } from "./backoff.ts";
import type { QueueInternals } from "./queue-internals.ts";
import type { BackoffOptions } from "./types.ts";
import { createWebhookPolicy, type ResolveHost, type WebhookAllowEntry, type WebhookPolicy } from "./webhook-policy.ts";
import { createWebhookSender } from "./webhook-sender.ts";

/** The operator's webhook settings (a queue without them refuses jobs that name a webhook). */
export interface WebhookOptions {
  /** Origins or URL prefixes a job's webhook may name; nothing else is accepted. */
  allow: WebhookAllowEntry[];
  /** Signs every body (HMAC-SHA256). At least 16 characters. */
  secret: string;
  /** Per delivery attempt. Default 10,000. */
  timeoutMs?: number;
  /** Delivery attempts in all. Default 5. */
  maxAttempts?: number;
  /** Between attempts. Default exponential from 1,000 ms (1, 2, 4, 8 s). */
  backoff?: BackoffOptions;
  /** DNS resolution of a webhook host; default node's resolver. */
  resolveHost?: ResolveHost;
}

export function resolveWebhookOptions(options: WebhookOptions | undefined): {
  policy: WebhookPolicy | undefined;
  delivery: QueueInternals["webhookDelivery"];
} {
  if (!options) return { policy: undefined, delivery: undefined };
  if (typeof options.secret !== "string" || options.secret.length < 16) {
    throw new KeelError("BAD_REQUEST", "webhooks.secret must be at least 16 characters", {
      details: { field: "webhooks.secret" },
    });
  }
  const policy = createWebhookPolicy({
    allow: options.allow,
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  const sender = createWebhookSender({ policy, secret: options.secret, timeoutMs: options.timeoutMs ?? 10_000 });
  return {
    policy,
    delivery: { sender, maxAttempts: options.maxAttempts ?? 5, backoff: options.backoff ?? DEFAULT_BACKOFF },
  };
}
