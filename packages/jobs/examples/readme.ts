// A runnable tour: enqueue a job, watch it run on a worker, read its result, and receive its
// signed webhook on a local receiver.
//   pnpm --filter @keel/jobs example                        (in-process queue)
//   pnpm --filter @keel/jobs example redis://127.0.0.1:6379   (Redis queue)
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInProcessJobQueue, createJobWorker, createRedisJobQueue, verifyWebhookSignature } from "@keel/jobs";

const redisUrl = process.argv[2];
const secret = "whsec_example_0123456789";

// A receiver that verifies the signature before trusting the body.
const receiver = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
  incoming.on("end", () => {
    const body = Buffer.concat(chunks);
    const verdict = verifyWebhookSignature({ secret, header: incoming.headers["keel-signature"] as string, body });
    console.log("webhook received:", verdict.ok ? "signature ok" : verdict.reason, body.toString().slice(0, 80), "…");
    outgoing.writeHead(verdict.ok ? 204 : 400).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const options = { webhooks: { allow: [`${hooks}/hooks/`], secret } };
const queue = redisUrl
  ? createRedisJobQueue({ url: redisUrl, name: "example", ...options })
  : createInProcessJobQueue(options);
const worker = createJobWorker({
  queue,
  process: async (job, { attempt, reportProgress }) => {
    await reportProgress(50);
    await new Promise((resolve) => setTimeout(resolve, 300)); // some work
    const { text } = job.request as { text: string };
    return { upper: text.toUpperCase(), attempt };
  },
});

const { id } = await queue.enqueue({
  tenant: "default",
  kind: "generate",
  request: { text: "hello from a job" },
  webhook: { url: `${hooks}/hooks/done` },
});
for await (const update of queue.watch("default", id)) console.log(`${update.id}: ${update.state} ${update.progress}%`);
console.log("result:", (await queue.get("default", id))?.result);

// Give the webhook a moment, then shut down.
await new Promise((resolve) => setTimeout(resolve, 500));
console.log("deliveries:", (await queue.get("default", id))?.webhook?.deliveries);
await worker.close();
await queue.close();
receiver.close();
