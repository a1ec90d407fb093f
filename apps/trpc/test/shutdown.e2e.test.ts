import { afterEach, describe, expect, it } from "vitest";
import type { Generation } from "@keel/spec";
import { chat, collectStream, post, startStack, type Stack } from "./test-support/stack.ts";

describe("graceful shutdown", () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it("lets an in-flight request finish and refuses new ones", async () => {
    stack = await startStack({
      rules: [{ promptIncludes: "Hi", reply: "finished anyway", latency: { ttftMs: 300 } }],
      shutdownGraceMs: 10_000,
    });
    const { simulator, host, url } = stack;
    const inFlight = post(`${url}/ai.generate`, JSON.stringify(chat("Hi")));
    await simulator.waitFor((stats) => stats.inFlight === 1, 5_000);
    const startedAt = Date.now();
    const shutdown = host.shutdown();

    const late = await post(`${url}/ai.generate`, JSON.stringify(chat("Hi"))).then(
      (response) => response.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(late);

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((response.json as { result: { data: Generation } }).result.data.content).toBe("finished anyway");
    await shutdown;
    // Drained as soon as the request finished, not after the 10 s grace.
    expect(Date.now() - startedAt).toBeLessThan(8_000);
    expect(simulator.stats().totalCalls).toBe(1);
  });

  it("ends a stream that outlives the grace with a typed error event", async () => {
    stack = await startStack({
      rules: [
        {
          promptIncludes: "stall",
          reply: "never ending story of words",
          fault: { type: "stream-stall", afterChunks: 2 },
        },
      ],
      shutdownGraceMs: 200,
    });
    const { simulator, host, client } = stack;
    let shutdown: Promise<void> | undefined;
    const outcome = await collectStream(client, chat("stall"), (event) => {
      if (event.type === "delta" && shutdown === undefined) shutdown = host.shutdown();
    });
    await shutdown;
    expect(outcome.events.some((event) => event.type === "done")).toBe(false);
    const last = outcome.events.at(-1);
    expect(last).toEqual({
      type: "error",
      error: expect.objectContaining({
        code: "UPSTREAM_UNAVAILABLE",
        retryable: true,
        details: expect.objectContaining({ reason: "shutting-down" }),
      }),
    });
    // The stalled upstream call was aborted, not left hanging.
    await simulator.waitFor((stats) => stats.inFlight === 0, 5_000);
  });
});
