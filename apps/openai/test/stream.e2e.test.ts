import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { apiError, createClient, startStack, type Stack } from "./test-support/stack.ts";

const REPLY = "alpha beta gamma delta epsilon zeta eta theta iota kappa";
const user = (content: string) => [{ role: "user" as const, content }];

/** The raw SSE lines of a streamed call, as curl would see them. */
async function rawStream(stack: Stack, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${stack.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: user("stream it"), stream: true, ...body }),
  });
  return { status: response.status, text: await response.text() };
}

describe("stream: true through the openai SDK", () => {
  let stack: Stack;
  afterEach(() => stack.close());

  it("streams OpenAI chunks: role first, the content, finish_reason, then the usage chunk, and [DONE]", async () => {
    stack = await startStack({ rules: [{ reply: REPLY }] });
    const stream = await stack.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("tell me a story"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(REPLY);
    expect(
      chunks.filter((chunk) => chunk.choices[0]?.finish_reason).map((chunk) => chunk.choices[0]?.finish_reason),
    ).toEqual(["stop"]);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    const usage = last?.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    // One id, one object type for every chunk; usage null on every chunk but the last.
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("on the wire: data lines ending with data: [DONE]; no usage chunk without include_usage", async () => {
    stack = await startStack({ rules: [{ reply: REPLY }] });
    const { status, text } = await rawStream(stack, {});
    expect(status).toBe(200);
    const events = text.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, "")));
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !("usage" in chunk))).toBe(true);
    expect(chunks.at(-1).choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: "stop" });
  });

  it("x-keel-envelope true puts the envelope on the finish chunk", async () => {
    stack = await startStack({ rules: [{ reply: REPLY }] });
    const client = createClient(stack.baseURL, { "x-keel-envelope": "true" });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("story"),
      stream: true,
    });
    const chunks: Array<{ keel?: Record<string, unknown> }> = [];
    for await (const chunk of stream) chunks.push(chunk as { keel?: Record<string, unknown> });
    const withEnvelope = chunks.filter((chunk) => chunk.keel !== undefined);
    expect(withEnvelope).toHaveLength(1);
    expect(withEnvelope[0]?.keel).toMatchObject({
      cache: "miss",
      attempts: 1,
      fallback: { answeredBy: "simulator/gpt-4o-mini" },
    });
  });

  it("a stream that dies after some chunks ends with an error event the SDK raises, never [DONE]", async () => {
    stack = await startStack({ rules: [{ reply: REPLY, fault: { type: "stream-die", afterChunks: 4 } }] });
    const stream = await stack.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("die"),
      stream: true,
    });
    let text = "";
    const error = await apiError(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(REPLY.startsWith(text)).toBe(true);
    expect(text.length).toBeGreaterThan(0);
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.error).toMatchObject({
      type: "server_error",
      code: "UPSTREAM_UNAVAILABLE",
      keel: { retryable: true },
    });

    const raw = await rawStream(stack, {});
    expect(raw.text).not.toContain("[DONE]");
    expect(raw.text.trimEnd().split("\n\n").at(-1)).toMatch(/^data: \{"error":\{"message":/);
  });

  it("a failure before any output is a plain HTTP error with its status, as OpenAI answers it", async () => {
    stack = await startStack({ rules: [{ fault: { type: "status", status: 503 } }] });
    const error = await apiError(
      stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user("down"), stream: true }),
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.headers?.get("content-type")).toMatch(/^application\/json/);
  });

  it("streams an exact cache hit of an earlier plain answer", async () => {
    stack = await startStack({ rules: [{ reply: REPLY }] });
    await stack.client.chat.completions.create({ model: "gpt-4o-mini", messages: user("once"), temperature: 0 });
    const client = createClient(stack.baseURL, { "x-keel-envelope": "true" });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("once"),
      temperature: 0,
      stream: true,
    });
    let text = "";
    let cache: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      cache ??= (chunk as { keel?: { cache: string } }).keel?.cache;
    }
    expect(text).toBe(REPLY);
    expect(cache).toBe("exact");
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  it("a shutdown that outlives its grace ends a live stream with an error event, not [DONE]", async () => {
    stack = await startStack({
      rules: [{ reply: "word ".repeat(200).trim(), latency: { perTokenMs: 40 } }],
      shutdownGraceMs: 200,
    });
    const stream = await stack.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: user("long"),
      stream: true,
    });
    const reading = apiError(
      (async () => {
        for await (const _chunk of stream) {
          // read until the service ends the stream
        }
      })(),
    );
    await stack.host.shutdown();
    const error = await reading;
    expect(error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(error.error).toMatchObject({ keel: { details: { reason: "shutting-down" } } });
    await stack.simulator.waitFor((stats) => stats.inFlight === 0, 3_000);
  });
});
