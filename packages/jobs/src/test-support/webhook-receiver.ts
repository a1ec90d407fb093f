import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body as received. */
  body: string;
}

/** What the receiver does with its Nth request (1-based): answer a status, or never answer. */
export type ReceiverBehaviour = (call: number) => number | "hang";

/** A real HTTP receiver on loopback that records every webhook and answers as scripted. */
export async function startWebhookReceiver(behaviour: ReceiverBehaviour = () => 200) {
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
      outgoing.writeHead(answer, { "content-type": "text/plain" }).end("ok");
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
