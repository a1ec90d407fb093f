import { describe, expect, it } from "vitest";
import { chat, startGoverned } from "./test-support/governed-stack.ts";
import { SERVICE_KINDS } from "./test-support/service-client.ts";

describe.each(SERVICE_KINDS)("authenticated subscriptions through %s", (kind) => {
  it("streams with the key (tRPC: connection params or the header; GraphQL: connection_init), under the key's tenant", async () => {
    const stack = await startGoverned(kind);
    const { key } = await stack.issue({ tenant: "acme", role: "caller", name: "streamer" });
    const ways = kind === "trpc" ? (["params", "header"] as const) : (["params"] as const);
    for (const way of ways) {
      const streamed = await stack.client(key).stream(chat(`stream by ${way}`), { sseKeyIn: way });
      expect(streamed.rejected).toBeUndefined();
      expect(streamed.events.some((event) => event.type === "delta")).toBe(true);
      expect(streamed.events.at(-1)?.type).toBe("done");
    }
    const usage = await stack.client(key).usage();
    expect(usage.ok && usage.value).toMatchObject({ tenant: "acme", totals: { requests: ways.length } });
    const line = stack.logs().find((entry) => entry.operation === "stream");
    expect(line).toMatchObject({ tenant: "acme", keyId: expect.any(String) });
  });

  it("refuses a stream without a key, or with a bad one, before anything reaches the pipeline", async () => {
    const stack = await startGoverned(kind);
    for (const key of [undefined, "keel_nosuchkey000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      const streamed = await stack.client(key).stream(chat("no key"));
      expect(streamed.events).toEqual([]);
      if (kind === "trpc") expect(streamed.rejected).toMatchObject({ code: "UNAUTHENTICATED", details: {} });
      else expect(streamed.closed).toEqual({ code: 4401, reason: "UNAUTHENTICATED: invalid or missing API key" });
    }
    expect(stack.pipeline.metricsSnapshot({ all: true }).overall["1m"].requests).toBe(0);
  });

  it("refuses a stream past the key's rate limit with a RATE_LIMITED event carrying retryAfterMs", async () => {
    const stack = await startGoverned(kind);
    const { key } = await stack.issue({
      tenant: "acme",
      role: "caller",
      name: "streamer",
      limits: { requestsPerMinute: 1 },
    });
    expect((await stack.client(key).stream(chat("first"))).events.at(-1)?.type).toBe("done");
    const second = await stack.client(key).stream(chat("second"));
    const final = second.events.at(-1) as { type: string; error: { code: string; details: { retryAfterMs: number } } };
    expect(final.type).toBe("error");
    expect(final.error.code).toBe("RATE_LIMITED");
    expect(final.error.details.retryAfterMs).toBeGreaterThan(0);
  });
});
