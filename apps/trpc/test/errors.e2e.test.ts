import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, collectStream, post, startStack, trpcError, type Stack } from "./test-support/stack.ts";

interface ErrorBody {
  error: {
    message: string;
    code: number;
    data: { code: string; httpStatus: number; keelCode: string; retryable: boolean; details: Record<string, unknown> };
  };
}

describe("error mapping", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "fail-500", fault: { type: "status", status: 500, message: "upstream exploded secret-xyz" } },
        { promptIncludes: "fail-429", fault: { type: "status", status: 429, retryAfterSeconds: 0 } },
      ],
      config: { services: { maxBodyBytes: 4096 } },
    });
  });
  afterAll(() => stack.close());

  const generate = (body: unknown) =>
    post(`${stack.url}/ai.generate`, typeof body === "string" ? body : JSON.stringify(body));

  async function expectBadRequest(body: unknown, field: string, messagePart: string) {
    const response = await generate(body);
    expect(response.status).toBe(400);
    const { error } = response.json as ErrorBody;
    expect(error.data).toMatchObject({
      code: "BAD_REQUEST",
      keelCode: "BAD_REQUEST",
      httpStatus: 400,
      retryable: false,
    });
    expect(error.data.details.field).toBe(field);
    expect(error.message).toContain(`${field}: `);
    expect(error.message).toContain(messagePart);
    expect(JSON.stringify(response.json)).not.toMatch(/stack|\n\s+at /);
  }

  it("names the missing field", () => expectBadRequest({ model: "gpt-4o-mini" }, "messages", "expected array"));
  it("names a field of the wrong type", () =>
    expectBadRequest(chat("Hi", { temperature: "hot" }), "temperature", "expected number"));
  it("names an empty role", () =>
    expectBadRequest({ model: "gpt-4o-mini", messages: [{ role: "", content: "Hi" }] }, "messages.0.role", "role"));
  it("names a content of the wrong type", () =>
    expectBadRequest(
      { model: "gpt-4o-mini", messages: [{ role: "user", content: 7 }] },
      "messages.0.content",
      "expected string",
    ));

  it("refuses bad input through the typed client too, before any upstream call", async () => {
    const before = stack.simulator.stats().totalCalls;
    const error = await trpcError(stack.client.ai.generate.mutate({ model: "gpt-4o-mini", messages: [] }));
    expect(error.data).toMatchObject({ code: "BAD_REQUEST", keelCode: "BAD_REQUEST", details: { field: "messages" } });
    expect(error.data).not.toHaveProperty("stack");
    expect(stack.simulator.stats().totalCalls).toBe(before);
  });

  it("answers a malformed JSON body with BAD_REQUEST", async () => {
    const response = await generate('{"messages": [');
    expect(response.status).toBe(400);
    expect((response.json as ErrorBody).error).toMatchObject({
      message: "malformed JSON body",
      data: { keelCode: "BAD_REQUEST", details: { reason: "malformed-json" } },
    });
  });

  it('names a misspelt field itself with a hint (it said "(input): Unrecognized key")', async () => {
    const response = await generate({ ...chat("Hi"), temprature: 0 });
    expect(response.status).toBe(400);
    const { error } = response.json as ErrorBody;
    expect(error.message).toBe('temprature: unknown field; did you mean "temperature"?');
    expect(error.data).toMatchObject({
      keelCode: "BAD_REQUEST",
      details: { field: "temprature", hint: 'did you mean "temperature"?' },
    });
  });

  it("answers a body not declared as JSON with 415 saying to send application/json (the quote was broken)", async () => {
    const before = stack.simulator.stats().totalCalls;
    for (const [contentType, received] of [
      ["text/plain", '"text/plain"'],
      ["application/x-www-form-urlencoded", '"application/x-www-form-urlencoded"'],
    ]) {
      const response = await post(`${stack.url}/ai.generate`, JSON.stringify(chat("Hi")), {
        "content-type": contentType as string,
      });
      expect(response.status).toBe(415);
      expect((response.json as ErrorBody).error).toMatchObject({
        message: `the request body must be JSON: send it with the header "content-type: application/json" (received ${received})`,
        data: {
          code: "UNSUPPORTED_MEDIA_TYPE",
          keelCode: "BAD_REQUEST",
          details: { reason: "unsupported-media-type", expected: "application/json" },
        },
      });
    }
    expect(stack.simulator.stats().totalCalls).toBe(before);
  });

  it("answers a body over services.maxBodyBytes with 413 and keeps serving", async () => {
    const response = await generate(chat("x".repeat(64 * 1024)));
    expect(response.status).toBe(413);
    expect((response.json as ErrorBody).error.data).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      keelCode: "BAD_REQUEST",
      details: { reason: "body-too-large" },
    });
    const after = await stack.client.ai.generate.mutate(chat("still fine"));
    expect(after.content.length).toBeGreaterThan(0);
  });

  it("answers an unknown procedure with 404 and keelCode BAD_REQUEST", async () => {
    const response = await post(`${stack.url}/ai.nothing`, "{}");
    expect(response.status).toBe(404);
    expect((response.json as ErrorBody).error.data).toMatchObject({ code: "NOT_FOUND", keelCode: "BAD_REQUEST" });
  });

  it("gives an unknown model a typed BAD_REQUEST naming the model field", async () => {
    const error = await trpcError(stack.client.ai.generate.mutate(chat("Hi", { model: "no-such-model" })));
    expect(error.data).toMatchObject({
      keelCode: "BAD_REQUEST",
      httpStatus: 400,
      details: { field: "model", reason: "unknown-model" },
    });
    expect(error.message).toContain("no-such-model");
  });

  it("maps an upstream 500 to UPSTREAM_UNAVAILABLE (502) without leaking the upstream message", async () => {
    const response = await generate(chat("fail-500"));
    expect(response.status).toBe(502);
    const { error } = response.json as ErrorBody;
    expect(error.data).toMatchObject({ code: "BAD_GATEWAY", keelCode: "UPSTREAM_UNAVAILABLE" });
    expect(error.message).toMatch(/: the upstream failed \(500\)$/);
    expect(response.text).not.toContain("secret-xyz"); // the upstream's text went out verbatim
    expect(JSON.stringify(response.json)).not.toMatch(/stack|\n\s+at /);
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("maps an upstream 429 to UPSTREAM_RATE_LIMITED (429)", async () => {
    const error = await trpcError(stack.client.ai.generate.mutate(chat("fail-429")));
    expect(error.data).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      httpStatus: 429,
      keelCode: "UPSTREAM_RATE_LIMITED",
      retryable: true,
    });
  }, 30_000);

  it("streams a typed error event for an unknown model, never done", async () => {
    const outcome = await collectStream(stack.client, chat("Hi", { model: "no-such-model" }));
    expect(outcome.completed).toBe(true);
    expect(outcome.events).toEqual([
      {
        type: "error",
        error: expect.objectContaining({ code: "BAD_REQUEST", details: expect.objectContaining({ field: "model" }) }),
      },
    ]);
  });

  it("refuses a subscription with bad input with a typed BAD_REQUEST", async () => {
    const outcome = await collectStream(stack.client, { ...chat("Hi"), temperature: 9 });
    expect(outcome.events).toEqual([]);
    expect(outcome.error?.data).toMatchObject({ keelCode: "BAD_REQUEST", details: { field: "temperature" } });
  });
});
