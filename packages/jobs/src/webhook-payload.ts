import { type JobRecord, toJob } from "./job-record.ts";

export interface WebhookPayload {
  /** `<job id>.<state>`: the same on every retry of one event, so receivers can drop duplicates. */
  eventId: string;
  body: string;
}

/**
 * The body POSTed when a job finishes:
 * `{ "id": "<job id>.<state>", "type": "job.completed" | "job.failed", "createdAt": <finishedAt>, "data": { "job": ... } }`.
 * The job is as `get` returns it, without its request (which the receiver already has and which
 * may be large) and without the webhook's own delivery log (so every retry sends the same bytes).
 */
export function webhookPayload(record: JobRecord): WebhookPayload {
  const { request: _request, webhook: _webhook, ...job } = toJob(record);
  const eventId = `${record.id}.${record.state}`;
  const body = JSON.stringify({
    id: eventId,
    type: `job.${record.state}`,
    createdAt: job.finishedAt,
    data: { job },
  });
  return { eventId, body };
}
