import { describe, expect, it } from "vitest";
import {
  chat,
  collectStream,
  GENERATE,
  graphql,
  startStack,
  wsClient,
  type GenerateData,
  type StreamEventView,
} from "./test-support/stack.ts";

const LONG_REPLY = Array.from({ length: 200 }, (_, index) => `word${index}`).join(" ");

describe("graceful shutdown", () => {
  it("lets a request in flight complete, and ends a subscription past the grace with an ERROR event", async () => {
    const stack = await startStack({
      rules: [
        { promptIncludes: "quick", reply: "done in time", latency: { ttftMs: 300 } },
        { promptIncludes: "forever", reply: LONG_REPLY, latency: { perTokenMs: 100 } },
      ],
      shutdownGraceMs: 800,
    });
    const client = wsClient(stack.wsUrl);
    try {
      let firstDelta: () => void = () => {};
      const streaming = new Promise<void>((resolve) => {
        firstDelta = resolve;
      });
      const subscription = collectStream(client, chat("go on forever"), (event: StreamEventView) => {
        if (event.type === "DELTA") firstDelta();
      });
      await streaming;
      const inFlight = graphql<GenerateData>({
        url: stack.url,
        query: GENERATE,
        variables: { input: chat("quick one") },
      });
      await stack.simulator.waitFor((stats) => stats.inFlight === 2, 10_000);

      const startedAt = Date.now();
      const shutdown = stack.host.shutdown();

      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(answered.body?.data?.generate.content).toBe("done in time");

      const outcome = await subscription;
      await shutdown;
      const elapsed = Date.now() - startedAt;
      expect(outcome.events.some((event) => event.type === "DONE")).toBe(false);
      const last = outcome.events.at(-1);
      expect(last?.type).toBe("ERROR");
      expect(last?.error).toMatchObject({
        code: "UPSTREAM_UNAVAILABLE",
        retryable: true,
        details: { reason: "shutting-down" },
      });
      expect(outcome.completed).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(700);
      expect(elapsed).toBeLessThan(10_000);

      // The upstream stream was aborted, and the port no longer answers.
      await stack.simulator.waitFor((stats) => stats.inFlight === 0, 10_000);
      await expect(fetch(`${stack.host.url}/healthz`)).rejects.toThrow();
    } finally {
      await client.dispose();
      await stack.pipeline.close();
      await stack.simulator.close();
    }
  });

  it("refuses new WebSocket connections while draining", async () => {
    const stack = await startStack({
      rules: [{ promptIncludes: "forever", reply: LONG_REPLY, latency: { perTokenMs: 100 } }],
      shutdownGraceMs: 600,
    });
    const first = wsClient(stack.wsUrl);
    const late = wsClient(stack.wsUrl);
    try {
      let started: () => void = () => {};
      const streaming = new Promise<void>((resolve) => {
        started = resolve;
      });
      const running = collectStream(first, chat("forever"), () => started());
      await streaming;
      const shutdown = stack.host.shutdown();
      const refused = await collectStream(late, chat("forever"));
      expect(refused.events).toEqual([]);
      expect(refused.completed).toBe(false);
      // Either the port no longer accepts, or the handshake is refused (4403): never a stream.
      expect(refused.closed !== undefined || refused.errors.length > 0).toBe(true);
      await running;
      await shutdown;
    } finally {
      await first.dispose();
      await late.dispose();
      await stack.pipeline.close();
      await stack.simulator.close();
    }
  });
});
