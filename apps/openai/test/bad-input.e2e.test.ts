import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiError, post, startStack, type Stack } from "./test-support/stack.ts";

const BLNS: string[] = JSON.parse(readFileSync("/work/shared/data/bad_input/blns.json", "utf8"));
const user = (content: string) => [{ role: "user" as const, content }];

/** Bodies the SDK's types would refuse, sent as a caller in another language could; each names `param`. */
const BAD_BODIES: Array<{ name: string; body: Record<string, unknown>; param: string; message: RegExp }> = [
  { name: "a temperature of the wrong type", body: { temperature: "hot" }, param: "temperature", message: /number/ },
  { name: "a temperature out of range (core's limit)", body: { temperature: 5 }, param: "temperature", message: /2/ },
  {
    name: "a content of the wrong type",
    body: { messages: [{ role: "user", content: 7 }] },
    param: "messages.0.content",
    message: /./,
  },
  { name: "no messages", body: { messages: [] }, param: "messages", message: /at least one message/ },
  {
    name: "an unknown role",
    body: { messages: [{ role: "robot", content: "hi" }] },
    param: "messages.0.role",
    message: /./,
  },
  {
    name: "a negative max_tokens, named as sent",
    body: { max_tokens: -1 },
    param: "max_tokens",
    message: /^max_tokens: /,
  },
  {
    name: "a tool message without tool_call_id",
    body: { messages: [{ role: "tool", content: "42" }] },
    param: "messages.0.tool_call_id",
    message: /./,
  },
  { name: "n above 1", body: { n: 2 }, param: "n", message: /one choice/ },
  {
    name: "a parameter Keel does not serve",
    body: { logit_bias: { "50256": -100 } },
    param: "logit_bias",
    message: /not supported/,
  },
  {
    name: "an image part",
    body: { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] },
    param: "messages.0.content",
    message: /./,
  },
  { name: "a model of the wrong type", body: { model: 42 }, param: "model", message: /string/ },
];

describe("bad input over the OpenAI endpoint", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { services: { maxBodyBytes: 65_536 } } });
  });
  afterAll(() => stack.close());

  const chat = (body: Record<string, unknown>) =>
    post(`${stack.baseURL}/chat/completions`, JSON.stringify({ model: "gpt-4o-mini", messages: user("hi"), ...body }));

  it.each(BAD_BODIES)(
    "refuses $name with 400, param and Keel's BAD_REQUEST, before any upstream call",
    async ({ body, param, message }) => {
      const before = stack.simulator.stats().totalCalls;
      const answer = await chat(body);
      expect(answer.status, answer.text).toBe(400);
      expect(answer.json).toMatchObject({
        error: {
          type: "invalid_request_error",
          code: "BAD_REQUEST",
          param,
          keel: { retryable: false, details: { field: param } },
        },
      });
      expect((answer.json as { error: { message: string } }).error.message).toMatch(message);
      expect(stack.simulator.stats().totalCalls).toBe(before);
    },
  );

  it("names a misspelt field with a hint, through the SDK's extra body", async () => {
    const error = await apiError(
      stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user("hi"), temprature: 0 } as never),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: "BAD_REQUEST", param: "temprature" });
    expect(error.error).toMatchObject({ keel: { details: { hint: 'did you mean "temperature"?' } } });
  });

  it("refuses an unknown model with 404 NotFoundError, plain and streamed, naming the served ones", async () => {
    for (const stream of [false, true]) {
      const error = await apiError(
        stack.client.chat.completions.create({ model: "gpt-9-ultra", messages: user("hi"), stream }),
      );
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ code: "BAD_REQUEST", param: "model" });
      expect(error.message).toContain("gpt-4o-mini");
    }
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("answers a malformed JSON body with 400 malformed-json, a form body with 415, a huge body with 413", async () => {
    const malformed = await post(`${stack.baseURL}/chat/completions`, '{"model": "gpt-4o-mini", "messages": [');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({
      error: { code: "BAD_REQUEST", keel: { details: { reason: "malformed-json" } } },
    });
    const notJson = await post(`${stack.baseURL}/chat/completions`, "model=gpt-4o-mini", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(notJson.status).toBe(415);
    expect(notJson.json).toMatchObject({ error: { keel: { details: { reason: "unsupported-media-type" } } } });
    for (const body of ["[1, 2]", "null", '"text"']) {
      const wrongShape = await post(`${stack.baseURL}/chat/completions`, body);
      expect(wrongShape.status, body).toBe(400);
    }
    const huge = await apiError(
      stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user("x".repeat(100_000)) }),
    );
    expect(huge).toMatchObject({ status: 413, code: "BAD_REQUEST" });
    expect(huge.error).toMatchObject({ keel: { details: { reason: "body-too-large" } } });
    // A body that lies about its size (chunked) is cut off the same way, and the service still answers.
    const chunked = await fetch(`${stack.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob(["[", "1,".repeat(50_000), "1]"]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(stack.simulator.stats().totalCalls).toBe(0);
  });

  it("refuses a bad Keel header value naming the header", async () => {
    const answer = await post(
      `${stack.baseURL}/chat/completions`,
      JSON.stringify({ model: "gpt-4o-mini", messages: user("hi") }),
      { "x-keel-cache-mode": "sometimes" },
    );
    expect(answer.status).toBe(400);
    expect((answer.json as { error: { message: string } }).error.message).toBe(
      'header x-keel-cache-mode: expected one of default, bypass, refresh, only-if-cached, received "sometimes"',
    );
  });

  it("answers every one of the 515 naughty strings as content with a completion or a typed error", async () => {
    const outcomes: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < BLNS.length) {
        const content = BLNS[next++] as string;
        outcomes.push(
          await stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user(content) }).then(
            (completion) => (typeof completion.choices[0]?.message.content === "string" ? "ok" : "NO CONTENT"),
            (error: unknown) => (error instanceof OpenAI.APIError ? String(error.code) : String(error)),
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(outcomes).toHaveLength(515);
    // Nothing in the list is invalid as content; an input-safety policy may refuse some.
    expect(outcomes.filter((outcome) => outcome !== "ok" && outcome !== "CONTENT_BLOCKED")).toEqual([]);
    expect(stack.simulator.stats().inFlight).toBe(0);
  }, 120_000);
});
