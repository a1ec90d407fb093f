import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { apiError, post, startStack, type Stack } from "./test-support/stack.ts";

const KEY = "sk-proj-Zx81kQm3VtY7pLw2Rn5sHc9dJf4GbE6a";
const user = (content: string) => [{ role: "user" as const, content }];

/** An SDK that counts the HTTP requests it sends to Keel, its own retries included. */
function countingClient(baseURL: string): { client: OpenAI; requests: () => number } {
  let requests = 0;
  const client = new OpenAI({
    baseURL,
    apiKey: "keel-test",
    maxRetries: 2,
    fetch: (url, init) => {
      requests += 1;
      return fetch(url, init);
    },
  });
  return { client, requests: () => requests };
}

describe("failures in OpenAI's error shape, carrying Keel's code", () => {
  let stack: Stack;
  afterEach(() => stack.close());

  it("every target failing: 502 InternalServerError, code UPSTREAM_UNAVAILABLE, Keel's words, the fallback in keel.details", async () => {
    const leak = "db password=hunter2 at 10.0.0.5";
    stack = await startStack({ rules: [{ fault: { type: "status", status: 500, message: leak } }] });
    const error = await apiError(stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user("x") }));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.error).toEqual({
      message: "simulator/gpt-4o-mini: the upstream failed (500)",
      type: "server_error",
      param: null,
      code: "UPSTREAM_UNAVAILABLE",
      keel: {
        retryable: true,
        details: expect.objectContaining({
          target: "simulator/gpt-4o-mini",
          fallback: [{ target: "simulator/gpt-4o-mini", code: "UPSTREAM_UNAVAILABLE", message: expect.any(String) }],
        }),
      },
    });
    expect(error.headers?.get("x-should-retry")).toBe("true");
    expect(error.headers?.get("x-keel-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(error.error)).not.toMatch(/hunter2|10\.0\.0\.5|stack/);
  });

  it("a deadline is 504 UPSTREAM_TIMEOUT with x-should-retry false: the SDK's own retries do not repeat it", async () => {
    stack = await startStack({
      rules: [{ fault: { type: "hang" } }],
      config: {
        models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"], timeoutMs: 300 } },
        defaults: { policy: { retry: false } },
      },
    });
    const { client, requests } = countingClient(stack.baseURL);
    const error = await apiError(client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hang") }));
    expect(error).toMatchObject({ status: 504, code: "UPSTREAM_TIMEOUT" });
    expect(error.error).toMatchObject({ keel: { retryable: false, details: { reason: "deadline" } } });
    expect(requests()).toBe(1);
  });

  it("an open circuit is 503 CIRCUIT_OPEN, not retried by the SDK", async () => {
    stack = await startStack({
      rules: [{ fault: { type: "status", status: 500 } }],
      config: {
        defaults: {
          policy: {
            retry: false,
            breaker: { errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeoutMs: 60_000 },
          },
        },
      },
    });
    const first = await apiError(stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user("a") }));
    await apiError(stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user("b") }));
    expect(first.code).toBe("UPSTREAM_UNAVAILABLE");
    const { client, requests } = countingClient(stack.baseURL);
    const open = await apiError(client.chat.completions.create({ model: "gpt-4o-mini", messages: user("c") }));
    expect(open).toMatchObject({ status: 503, code: "CIRCUIT_OPEN" });
    expect(open.headers?.get("x-should-retry")).toBe("false");
    expect(requests()).toBe(1);
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(2);
  });

  it("an input blocked by safety is 422 CONTENT_BLOCKED, naming the detector, never the secret", async () => {
    stack = await startStack({
      config: {
        models: {
          "gpt-4o-mini": {
            targets: ["simulator/gpt-4o-mini"],
            safety: { input: { secrets: { action: "block" } } },
          },
        },
      },
    });
    const error = await apiError(
      stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user(`my key is ${KEY}`) }),
    );
    expect(error).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    expect(error.code).toBe("CONTENT_BLOCKED");
    expect(error.message).toContain("secrets: OPENAI_KEY");
    expect(JSON.stringify(error.error)).not.toContain(KEY.slice(8));
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("an unknown path is 404 and a wrong method 405, both in OpenAI's shape", async () => {
    stack = await startStack();
    const missing = await post(`${stack.baseURL}/completions`, "{}");
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { type: "invalid_request_error", code: "BAD_REQUEST" } });
    const wrongMethod = await fetch(`${stack.baseURL}/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({
      error: { code: "BAD_REQUEST", keel: { details: { reason: "method-not-allowed", allowed: ["POST"] } } },
    });
  });
});
