import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, collectStream, startStack, type Stack } from "./test-support/stack.ts";

/** Issue 12 items 4 and 5 through the tRPC service: batch fan-out, GET subscriptions from web pages, DNS rebinding. */

interface Answer {
  status: number;
  json: { error?: { data?: { keelCode?: string; details?: Record<string, unknown> } } } | undefined;
}

function send(url: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const call = httpRequest(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => {
          let json: Answer["json"];
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, json });
        });
      },
    );
    call.on("error", reject);
    call.end(options.body);
  });
}

/** A batch of `count` ai.generate calls with distinct prompts, in one POST. */
function generateBatch(url: string, count: number) {
  const paths = Array.from({ length: count }, () => "ai.generate").join(",");
  const inputs = Object.fromEntries(Array.from({ length: count }, (_, index) => [index, chat(`batch ${index}`)]));
  return send(`${url}/${paths}?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(inputs),
  });
}

describe("tRPC batching is capped", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { services: { trpc: { maxBatchSize: 5 } } } });
  });
  afterAll(() => stack.close());

  it("refuses a batch past maxBatchSize with BAD_REQUEST before any upstream call", async () => {
    const before = stack.simulator.stats().totalCalls;
    const answer = await generateBatch(stack.url, 6);
    expect(answer.status).toBe(400);
    expect(answer.json?.error?.data?.keelCode).toBe("BAD_REQUEST");
    expect(stack.simulator.stats().totalCalls).toBe(before);
  });

  it("serves a batch within it, one upstream call per call", async () => {
    const before = stack.simulator.stats().totalCalls;
    const answer = await generateBatch(stack.url, 5);
    expect(answer.status).toBe(200);
    expect(stack.simulator.stats().totalCalls).toBe(before + 5);
  });
});

describe("tRPC batching can be turned off", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { services: { trpc: { allowBatching: false } } } });
  });
  afterAll(() => stack.close());

  it("refuses any batch", async () => {
    const answer = await generateBatch(stack.url, 2);
    expect(answer.status).toBe(400);
    expect(answer.json?.error?.data?.keelCode).toBe("BAD_REQUEST");
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });
});

describe("GET subscriptions and browsers", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const streamUrl = () => `${stack.url}/ai.stream?input=${encodeURIComponent(JSON.stringify(chat("from a tag")))}`;

  it("an <img> or <script> tag cannot start a stream: no text/event-stream, no upstream call", async () => {
    const answer = await send(streamUrl(), { headers: { accept: "image/avif,image/webp,*/*" } });
    expect(answer.status).toBe(400);
    expect(answer.json?.error?.data).toMatchObject({
      keelCode: "BAD_REQUEST",
      details: { reason: "not-event-stream" },
    });
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("a cross-site page is refused even when it asks for an event stream", async () => {
    const crossSite = await send(streamUrl(), {
      headers: { accept: "text/event-stream", "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json?.error?.data?.keelCode).toBe("FORBIDDEN");
    const foreignOrigin = await send(streamUrl(), {
      headers: { accept: "text/event-stream", origin: "https://evil.example" },
    });
    expect(foreignOrigin.json?.error?.data?.keelCode).toBe("FORBIDDEN");
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("a page on a rebound DNS name cannot call a mutation", async () => {
    const answer = await send(`${stack.url}/ai.generate`, {
      method: "POST",
      headers: { "content-type": "application/json", host: `rebound.evil.example:${stack.host.port}` },
      body: JSON.stringify(chat("rebound")),
    });
    expect(answer.status).toBe(403);
    expect(answer.json?.error?.data).toMatchObject({ keelCode: "FORBIDDEN", details: { reason: "host-not-allowed" } });
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("the real client's EventSource still streams", async () => {
    const outcome = await collectStream(stack.client, chat("real client"));
    expect(outcome.events.at(-1)?.type).toBe("done");
  });
});

describe("operational details stay off the caller's health procedure", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [{ model: "gpt-4o-mini", fault: { type: "status", status: 500 } }],
      config: {
        defaults: {
          policy: {
            retry: false,
            breaker: { volumeThreshold: 1, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
          },
        },
      },
    });
  });
  afterAll(() => stack.close());

  it("health names the checks without upstream targets; /readyz (loopback, for operators) has them", async () => {
    await stack.client.ai.generate.mutate(chat("trip the breaker")).catch(() => undefined);
    const health = await stack.client.health.query();
    expect(health.ready).toBe(false);
    expect(health.checks["route:gpt-4o-mini"]).toEqual({ ok: false });
    expect(JSON.stringify(health)).not.toContain("simulator/gpt-4o-mini");
    const readyz = await send(`${stack.host.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(JSON.stringify(readyz.json)).toContain("open circuits: simulator/gpt-4o-mini");
  });
});
