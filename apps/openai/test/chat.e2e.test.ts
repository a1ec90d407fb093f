import { afterEach, describe, expect, it } from "vitest";
import { createClient, startStack, type Stack } from "./test-support/stack.ts";

const user = (content: string) => [{ role: "user" as const, content }];

describe("POST /v1/chat/completions through the openai SDK", () => {
  let stack: Stack;
  afterEach(() => stack.close());

  it("answers a chat.completion with usage, Keel's headers and one upstream call", async () => {
    stack = await startStack({ rules: [{ promptIncludes: "lighthouse", reply: "A lighthouse guides ships." }] });
    const { data: completion, response } = await stack.client.chat.completions
      .create({ model: "gpt-4o-mini", messages: user("Tell me about a lighthouse."), temperature: 0 })
      .withResponse();
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: "gpt-4o-mini",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "A lighthouse guides ships.", refusal: null },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: 5, total_tokens: expect.any(Number) },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
    // No `keel` object unless asked for: the body is OpenAI's.
    expect(completion).not.toHaveProperty("keel");
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("x-keel-")))).toEqual({
      "x-keel-cache": "miss",
      "x-keel-cost-usd": expect.stringMatching(/^0\.\d+$/),
      "x-keel-attempts": "1",
      "x-keel-fallback": "answered-by=simulator/gpt-4o-mini",
      "x-keel-latency-ms": expect.stringMatching(/^\d+$/),
      "x-keel-request-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // The SDK reads x-request-id as the request's id.
    expect(response.headers.get("x-request-id")).toBe(response.headers.get("x-keel-request-id"));
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("the second identical call is an exact cache hit: x-keel-cache exact, 0 attempts, no upstream call", async () => {
    stack = await startStack();
    const ask = () =>
      stack.client.chat.completions
        .create({ model: "gpt-4o-mini", messages: user("cache me"), temperature: 0 })
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(second.response.headers.get("x-keel-cache")).toBe("exact");
    expect(second.response.headers.get("x-keel-attempts")).toBe("0");
    expect(second.response.headers.get("x-keel-cost-usd")).toBe("0");
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("x-keel-cache-mode bypass reaches the upstream every time; only-if-cached on a miss is UPSTREAM_UNAVAILABLE with nothing asked", async () => {
    stack = await startStack();
    const bypass = createClient(stack.baseURL, { "x-keel-cache-mode": "bypass" });
    for (let call = 0; call < 2; call += 1) {
      const { response } = await bypass.chat.completions
        .create({ model: "gpt-4o-mini", messages: user("bypass"), temperature: 0 })
        .withResponse();
      expect(response.headers.get("x-keel-cache")).toBe("miss");
    }
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(2);
    const onlyCached = createClient(stack.baseURL, { "x-keel-cache-mode": "only-if-cached" });
    const refused = await onlyCached.chat.completions
      .create({ model: "gpt-4o-mini", messages: user("never asked before"), temperature: 0 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toMatchObject({ status: 502, code: "UPSTREAM_UNAVAILABLE" });
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(2);
  });

  it("x-keel-envelope true adds Keel's whole envelope as `keel`, matching the headers", async () => {
    stack = await startStack();
    const client = createClient(stack.baseURL, { "x-keel-envelope": "true" });
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: user("tell me about the sea") })
      .withResponse();
    const keel = (data as unknown as { keel: Record<string, unknown> }).keel;
    expect(keel).toMatchObject({
      model: "gpt-4o-mini",
      provider: "simulator",
      cache: "miss",
      attempts: 1,
      fallback: { failed: [], answeredBy: "simulator/gpt-4o-mini" },
      usage: {
        promptTokens: data.usage?.prompt_tokens,
        completionTokens: data.usage?.completion_tokens,
        totalTokens: data.usage?.total_tokens,
      },
      finishReason: "stop",
      safety: { input: [], output: [] },
    });
    expect(keel).not.toHaveProperty("content");
    // The completion's id is the envelope's, with OpenAI's prefix when the upstream's id has none.
    expect([keel.id, `chatcmpl-${keel.id}`]).toContain(data.id);
    expect(Number(response.headers.get("x-keel-cost-usd"))).toBe(keel.costUsd);
    expect(response.headers.get("x-keel-attempts")).toBe("1");
  });

  it("maps OpenAI's parameters: max_tokens cuts the answer (finish_reason length), developer is a system turn, text parts join", async () => {
    stack = await startStack();
    const completion = await stack.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "developer", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Say a lot " },
            { type: "text", text: "of words." },
          ],
        },
      ],
      max_tokens: 2,
      stop: "zzz",
      seed: 7,
      top_p: 1,
      n: 1,
      user: "end-user-42",
    });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(2);
    const withCompletionTokens = await stack.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("Say a lot of words, again."),
      max_completion_tokens: 3,
    });
    expect(withCompletionTokens.usage?.completion_tokens).toBe(3);
  });

  it("passes response_format json_schema through: the simulator answers the schema's example object", async () => {
    stack = await startStack();
    const completion = await stack.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("Which city?"),
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "city",
          strict: true,
          schema: {
            type: "object",
            properties: { city: { type: "string" }, population: { type: "integer" } },
            required: ["city", "population"],
            additionalProperties: false,
          },
        },
      },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({ city: "example", population: 1 });
  });
});
