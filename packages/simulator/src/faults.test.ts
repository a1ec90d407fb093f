import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
} from "openai";
import { describe, expect, it } from "vitest";
import { createClient, rawRequest, useSimulator, userMessage } from "./test-support/simulator-fixtures.ts";

const ask = { model: "gpt-4o-mini", messages: userMessage("hello") };

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("the call should have failed"),
    (error: unknown) => error,
  );
}

describe("status faults", () => {
  it("fails the first N calls to a model, then answers normally", async () => {
    const { client, simulator } = await useSimulator({
      rules: [{ model: "gpt-4o-mini", times: 3, fault: { type: "status", status: 500 } }],
    });
    for (let call = 0; call < 3; call++) {
      const failure = await failureOf(client.chat.completions.create(ask));
      expect(failure).toBeInstanceOf(InternalServerError);
      expect(failure).toMatchObject({ status: 500, type: "server_error" });
    }
    const answer = await client.chat.completions.create(ask);
    expect(answer.choices[0]!.finish_reason).toBe("stop");
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(4);
  });

  it("sends 429 with Retry-After in seconds, as an HTTP-date, and retry-after-ms", async () => {
    const { client, simulator } = await useSimulator();
    simulator.setRules([{ times: 1, fault: { type: "status", status: 429, retryAfterSeconds: 7 } }]);
    const seconds = (await failureOf(client.chat.completions.create(ask))) as RateLimitError;
    expect(seconds).toBeInstanceOf(RateLimitError);
    expect(seconds).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });
    expect(seconds.headers.get("retry-after")).toBe("7");

    simulator.setRules([
      { times: 1, fault: { type: "status", status: 429, retryAfterSeconds: 30, retryAfterDate: true } },
    ]);
    const dated = (await failureOf(client.chat.completions.create(ask))) as RateLimitError;
    const retryAt = Date.parse(dated.headers.get("retry-after")!);
    expect(dated.headers.get("retry-after")).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(retryAt - Date.now()).toBeGreaterThan(25_000);
    expect(retryAt - Date.now()).toBeLessThanOrEqual(31_000);

    simulator.setRules([
      { times: 1, fault: { type: "status", status: 429, retryAfterMs: 250, code: "insufficient_quota" } },
    ]);
    const millis = (await failureOf(client.chat.completions.create(ask))) as RateLimitError;
    expect(millis.headers.get("retry-after-ms")).toBe("250");
    expect(millis.headers.get("retry-after")).toBeNull();
    expect(millis.code).toBe("insufficient_quota");
  });

  it("sends 502 and 503, and refusals in OpenAI's error body shape", async () => {
    const { simulator, client } = await useSimulator({
      rules: [
        { promptIncludes: "gateway", fault: { type: "status", status: 502 } },
        { promptIncludes: "overloaded", fault: { type: "status", status: 503, message: "Slow down" } },
        { promptIncludes: "forbidden", fault: { type: "status", status: 400, code: "content_policy_violation" } },
        { promptIncludes: "too long", fault: { type: "status", status: 400, code: "context_length_exceeded" } },
      ],
    });
    const post = (prompt: string) =>
      rawRequest(`${simulator.url}/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "gpt-4o", messages: userMessage(prompt) }),
      });

    const gateway = await post("gateway");
    expect(gateway.status).toBe(502);
    expect(JSON.parse(gateway.body)).toEqual({
      error: { message: "Bad gateway.", type: "server_error", param: null, code: null },
    });
    const overloaded = await post("overloaded");
    expect(overloaded.status).toBe(503);
    expect(JSON.parse(overloaded.body).error.message).toBe("Slow down");

    const refusal = await failureOf(
      client.chat.completions.create({ model: "gpt-4o", messages: userMessage("forbidden") }),
    );
    expect(refusal).toBeInstanceOf(BadRequestError);
    expect(refusal).toMatchObject({ status: 400, code: "content_policy_violation", type: "invalid_request_error" });
    expect((refusal as Error).message).toMatch(/safety system/);
    const tooLong = JSON.parse((await post("too long")).body);
    expect(tooLong.error).toMatchObject({
      code: "context_length_exceeded",
      param: "messages",
      type: "invalid_request_error",
    });
    expect(tooLong.error.message).toMatch(/maximum context length/);
  });
});

describe("connection faults", () => {
  it("hang: the client times out, and the request is counted as aborted and released", async () => {
    const { simulator } = await useSimulator({ rules: [{ fault: { type: "hang" } }] });
    const client = createClient(simulator, 150);
    await simulator.waitFor((stats) => stats.openConnections === 0);
    const failure = await failureOf(client.chat.completions.create(ask));
    expect(failure).toBeInstanceOf(APIConnectionTimeoutError);
    const stats = await simulator.waitFor((current) => current.openConnections === 0 && current.inFlight === 0, 4000);
    expect(stats).toMatchObject({ clientAborts: 1, totalCalls: 1, inFlight: 0, openConnections: 0 });
  });

  it("reset: the socket is destroyed without a response, a connection error for the client", async () => {
    const { simulator, client } = await useSimulator({ rules: [{ times: 1, fault: { type: "reset" } }] });
    const failure = await failureOf(client.chat.completions.create(ask));
    expect(failure).toBeInstanceOf(APIConnectionError);
    expect(failure).not.toBeInstanceOf(APIConnectionTimeoutError);
    // The simulator closed it on purpose: no client abort.
    expect(simulator.stats()).toMatchObject({ clientAborts: 0, inFlight: 0 });
    expect((await client.chat.completions.create(ask)).choices).toHaveLength(1);
  });

  it("malformed: a 200 whose JSON body does not parse", async () => {
    const { simulator, client } = await useSimulator({ rules: [{ fault: { type: "malformed" } }] });
    const raw = await rawRequest(`${simulator.url}/chat/completions`, { method: "POST", body: JSON.stringify(ask) });
    expect(raw.status).toBe(200);
    expect(() => JSON.parse(raw.body)).toThrow(SyntaxError);
    await expect(client.chat.completions.create(ask)).rejects.toThrow();
  });

  it("trickle: the JSON body arrives only after the delay, the headers at once", async () => {
    const { simulator } = await useSimulator({ rules: [{ fault: { type: "trickle", chunkDelayMs: 300 } }] });
    const raw = await rawRequest(`${simulator.url}/chat/completions`, { method: "POST", body: JSON.stringify(ask) });
    expect(raw.status).toBe(200);
    expect(raw.bodyAfterMs - raw.headersAfterMs).toBeGreaterThanOrEqual(200);
    expect(JSON.parse(raw.body).object).toBe("chat.completion");
  });
});

describe("stream faults", () => {
  const streamOf = (client: ReturnType<typeof createClient>, signal?: AbortSignal) =>
    client.chat.completions.create({ ...ask, stream: true }, signal === undefined ? {} : { signal });

  it("stream-stall: N content chunks, then silence until the client gives up", async () => {
    const { simulator, client } = await useSimulator({
      rules: [{ reply: "one two three four five", fault: { type: "stream-stall", afterChunks: 2 } }],
    });
    const controller = new AbortController();
    const iterator = (await streamOf(client, controller.signal))[Symbol.asyncIterator]();
    const contents: string[] = [];
    for (let read = 0; read < 3; read++) {
      const chunk = await iterator.next();
      contents.push(chunk.value?.choices[0]?.delta.content ?? "");
    }
    expect(contents).toEqual(["", "one", " two"]);
    const silence = await Promise.race([iterator.next().then(() => "chunk"), delay(200).then(() => "silence")]);
    expect(silence).toBe("silence");
    expect(simulator.stats().inFlight).toBe(1);

    controller.abort();
    const stats = await simulator.waitFor((current) => current.inFlight === 0 && current.openConnections === 0, 4000);
    expect(stats.clientAborts).toBe(1);
  });

  it("stream-die: N content chunks, then the connection dies mid-stream", async () => {
    const { simulator, client } = await useSimulator({
      rules: [{ reply: "one two three four five", fault: { type: "stream-die", afterChunks: 3 } }],
    });
    const contents: string[] = [];
    const failure = await (async () => {
      for await (const chunk of await streamOf(client)) contents.push(chunk.choices[0]?.delta.content ?? "");
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(contents).toEqual(["", "one", " two", " three"]);
    expect(simulator.stats()).toMatchObject({ clientAborts: 0, inFlight: 0 });
  });

  it("trickle: every chunk waits the delay", async () => {
    const { client } = await useSimulator({
      rules: [{ reply: "a b c", fault: { type: "trickle", chunkDelayMs: 40 } }],
    });
    const arrivals: number[] = [];
    const started = performance.now();
    for await (const chunk of await streamOf(client)) {
      if (chunk.choices[0]?.delta.content) arrivals.push(performance.now() - started);
    }
    expect(arrivals).toHaveLength(3);
    // The role chunk waits 40 ms, then each of the three content chunks 40 ms more.
    expect(arrivals[2]!).toBeGreaterThanOrEqual(150);
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThanOrEqual(70);
  });

  it("malformed: a broken SSE data line fails the stream", async () => {
    const { simulator, client } = await useSimulator({
      rules: [{ reply: "fine so far", fault: { type: "malformed" } }],
    });
    const raw = await rawRequest(`${simulator.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ ...ask, stream: true }),
    });
    const dataLines = raw.body.split("\n\n").filter((line) => line.startsWith("data: "));
    expect(() => JSON.parse(dataLines.at(-1)!.slice(6))).toThrow(SyntaxError);
    expect(JSON.parse(dataLines[1]!.slice(6)).choices[0].delta.content).toBe("fine");

    const consume = async () => {
      for await (const chunk of await streamOf(client)) void chunk;
    };
    await expect(consume()).rejects.toThrow();
  });

  it("a status fault on a streaming call answers with the error before any stream starts", async () => {
    const { client } = await useSimulator({ rules: [{ fault: { type: "status", status: 503 } }] });
    const failure = await failureOf(streamOf(client));
    expect(failure).toBeInstanceOf(APIError);
    expect(failure).toMatchObject({ status: 503 });
  });
});

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
