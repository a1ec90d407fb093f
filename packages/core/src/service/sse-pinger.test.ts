import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createSsePinger } from "./sse-pinger.ts";

describe("createSsePinger", () => {
  it("pings a silent stream after the interval, not a busy one, and stops once removed", async () => {
    const pinger = createSsePinger({ intervalMs: 80, frame: "event: ping\ndata: \n\n\n" });
    const responses: ServerResponse[] = [];
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.flushHeaders();
      responses.push(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const read = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      const pump = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += Buffer.from(value).toString("utf8");
        }
      })();
      return { text: () => text, pump };
    };
    try {
      const silent = await read();
      const busy = await read();
      const [silentResponse, busyResponse] = responses as [ServerResponse, ServerResponse];
      const silentStream = pinger.add(silentResponse);
      const busyStream = pinger.add(busyResponse);
      const keepBusy = setInterval(() => {
        busyResponse.write("data: {}\n\n\n");
        busyStream.touch();
      }, 20);
      await new Promise((resolve) => setTimeout(resolve, 260));
      clearInterval(keepBusy);
      silentStream.remove();
      busyStream.remove();
      const pingsSoFar = silent.text().split("event: ping").length - 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(pingsSoFar).toBeGreaterThanOrEqual(2);
      expect(silent.text().split("event: ping").length - 1).toBe(pingsSoFar);
      expect(busy.text()).not.toContain("event: ping");
      for (const response of responses) response.end();
      await Promise.all([silent.pump, busy.pump]);
    } finally {
      pinger.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
