import { describe, expect, it } from "vitest";
import { chat, PRIMARY_MODEL } from "./test-support/chaos-config.ts";
import { startChaos } from "./test-support/chaos-stack.ts";
import { SERVICE_KINDS, type StreamCallOptions } from "./test-support/service-adapter.ts";

/** 200 tokens at 40 ms each: an 8 s stream, so an abort is always mid-way. */
const SLOW_STREAM = { model: PRIMARY_MODEL, reply: "word ".repeat(200).trim(), latency: { perTokenMs: 40 } };

describe.each(SERVICE_KINDS)("caller disconnect through %s", (kind) => {
  it("aborting a generate request aborts the upstream call", async () => {
    const stack = await startChaos(kind, { rules: [{ model: PRIMARY_MODEL, fault: { type: "hang" } }] });
    const controller = new AbortController();
    const pending = stack.service.generate(chat("hang until I leave"), { signal: controller.signal });
    await stack.simulator.waitFor((current) => current.inFlight === 1, 3_000);
    controller.abort();
    await expect(pending).rejects.toThrow();
    const stats = await stack.simulator.waitFor(
      (current) => current.clientAborts === 1 && current.inFlight === 0,
      3_000,
    );
    // No retry and no fallback on behalf of a caller who left.
    expect(stats.totalCalls).toBe(1);
  });

  const streamAborts: Array<{ how: string; options: StreamCallOptions["abortBy"]; only?: "graphql" }> = [
    { how: kind === "graphql" ? "completing the subscription" : "closing the SSE stream", options: "unsubscribe" },
    { how: "closing the WebSocket", options: "close-socket", only: "graphql" },
  ];
  for (const { how, options: abortBy, only } of streamAborts) {
    if (only !== undefined && only !== kind) continue;

    it(`${how} mid-stream aborts the upstream stream`, async () => {
      const stack = await startChaos(kind, { rules: [SLOW_STREAM] });
      const controller = new AbortController();
      const outcome = await stack.service.stream(chat("a long story"), {
        signal: controller.signal,
        abortBy,
        onEvent: (event) => {
          if (event.type === "delta") controller.abort();
        },
      });
      expect(outcome.ended).toBe("aborted");
      expect(outcome.events.length).toBeGreaterThanOrEqual(1);
      const stats = await stack.simulator.waitFor(
        (current) => current.clientAborts === 1 && current.inFlight === 0,
        5_000,
      );
      expect(stats.totalCalls).toBe(1);
    });

    it(`${how} before the first token aborts the hung upstream call`, async () => {
      const stack = await startChaos(kind, { rules: [{ model: PRIMARY_MODEL, fault: { type: "hang" } }] });
      const controller = new AbortController();
      const pending = stack.service.stream(chat("hang until I leave"), { signal: controller.signal, abortBy });
      await stack.simulator.waitFor((current) => current.inFlight === 1, 3_000);
      controller.abort();
      expect((await pending).events).toEqual([]);
      const stats = await stack.simulator.waitFor(
        (current) => current.clientAborts === 1 && current.inFlight === 0,
        5_000,
      );
      expect(stats.totalCalls).toBe(1);
    });
  }
});
