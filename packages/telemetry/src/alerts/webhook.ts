import type { AlertNotification, WebhookOptions } from "./types.ts";

export interface WebhookReport {
  delivered(notification: AlertNotification, attempts: number): void;
  failed(notification: AlertNotification, reason: string): void;
}

/**
 * Posts alert notifications as JSON, one at a time in order, each retried with
 * exponential backoff and jitter up to `maxAttempts`. The queue is bounded: when the
 * receiver is down for long, the oldest notifications are dropped (and reported).
 */
export class WebhookSender {
  private readonly queue: AlertNotification[] = [];
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly options: WebhookOptions,
    private readonly report: WebhookReport,
  ) {}

  send(notification: AlertNotification): void {
    if (this.closed) return;
    this.queue.push(notification);
    const maxQueue = this.options.maxQueue ?? 100;
    while (this.queue.length > maxQueue) this.report.failed(this.queue.shift()!, "queue full");
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves when every queued notification has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) await this.deliver(next);
  }

  private async deliver(notification: AlertNotification): Promise<void> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 4);
    const body = JSON.stringify(notification);
    let reason = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const response = await fetch(this.options.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...this.options.headers },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.report.delivered(notification, attempt);
          return;
        }
        reason = `HTTP ${response.status}`;
      } catch (error) {
        reason = error instanceof Error ? error.name : "request failed";
      }
      if (attempt < maxAttempts) await sleep(backoff(this.options.backoffMs ?? 500, attempt));
    }
    this.report.failed(notification, reason);
  }
}

function backoff(baseMs: number, attempt: number): number {
  const exponential = Math.min(baseMs * 2 ** (attempt - 1), 30_000);
  return exponential / 2 + Math.random() * (exponential / 2);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds).unref());
}
