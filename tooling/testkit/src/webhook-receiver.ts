import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body as received (verify signatures on this, before parsing). */
  body: string;
}

/** What the receiver answers its Nth request (1-based): a status, or never. */
export type ReceiverBehaviour = (call: number) => number | "hang";

export interface WebhookReceiverHandle {
  readonly port: number;
  /** "http://127.0.0.1:PORT" */
  readonly origin: string;
  readonly received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback that records every webhook it gets and answers as scripted. */
export async function startWebhookReceiver(behaviour: ReceiverBehaviour = () => 204): Promise<WebhookReceiverHandle> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      received.push({
        at: Date.now(),
        path: incoming.url ?? "",
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const answer = behaviour(received.length);
      if (answer === "hang") return;
      outgoing.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
