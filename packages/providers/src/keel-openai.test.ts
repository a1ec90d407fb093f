import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callCancellation } from "./call-signal.ts";
import { createKeelOpenAI, type KeelOpenAIOptions } from "./keel-openai.ts";
import { createNodeFetch } from "./node-fetch.ts";
import { sdkClientOptions } from "./sdk-client-options.ts";

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  /** Header names in the order they came on the wire. */
  headerOrder: string[];
  body: string;
}

let server: Server;
let base: string;
let received: Received[] = [];

const completion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        headerOrder: request.rawHeaders.filter((_, index) => index % 2 === 0),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      if (request.url?.endsWith("/embeddings")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ object: "list", data: [], model: "m", usage: {} }));
        return;
      }
      response.writeHead(200, { "content-type": "application/json", "x-request-id": "req_42" });
      response.end(JSON.stringify(completion));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
});

/** The provider's client options (openai-provider.ts), on Keel's node:http fetch. */
const optionsFor = (extra: Partial<KeelOpenAIOptions> = {}): KeelOpenAIOptions => ({
  ...sdkClientOptions({ apiKey: "sk-test", baseURL: base, fetch: createNodeFetch() }),
  ...extra,
});

const request = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Hello" }], temperature: 0 };

/** What the upstream saw, without what differs between any two connections or calls. */
function wire(entry: Received | undefined) {
  const { connection: _connection, ...headers } = entry?.headers ?? {};
  return { method: entry?.method, url: entry?.url, headers, body: entry?.body };
}

describe("createKeelOpenAI", () => {
  it("sends every call exactly what the SDK's own client sends, and answers the same", async () => {
    const signal = new AbortController().signal;
    const plain = new OpenAI(optionsFor());
    const keel = createKeelOpenAI(optionsFor());

    const plainAnswer = await plain.chat.completions.create(request, callCancellation(signal, true).options);
    const keelAnswers = [
      await keel.chat.completions.create(request, callCancellation(signal, true).options),
      // The second call runs on the kept authentication headers.
      await keel.chat.completions.create(request, callCancellation(signal, true).options),
    ];
    await plain.embeddings.create({ model: "m", input: "x" });
    await keel.embeddings.create({ model: "m", input: "x" });

    expect(received).toHaveLength(5);
    const [plainChat, keelChat, keelChatAgain, plainEmbed, keelEmbed] = received.map(wire);
    expect(keelChat).toEqual(plainChat);
    expect(keelChatAgain).toEqual(plainChat);
    expect(keelEmbed).toEqual(plainEmbed);
    expect(plainChat?.headers.authorization).toBe("Bearer sk-test");
    expect(plainChat?.headers["openai-organization"]).toBeUndefined();
    expect(plainChat?.headers["openai-project"]).toBeUndefined();
    expect(plainChat?.method).toBe("POST");
    for (const answer of keelAnswers) {
      expect(answer).toEqual(plainAnswer);
      expect(answer._request_id).toBe("req_42");
    }
  });

  it("sends the kept header set in the SDK's order, and per-call headers through the SDK's own build", async () => {
    const plain = new OpenAI(optionsFor({ defaultHeaders: { "x-gateway": "g" } }));
    const keel = createKeelOpenAI(optionsFor({ defaultHeaders: { "x-gateway": "g" } }));
    await plain.chat.completions.create(request);
    await keel.chat.completions.create(request);
    await keel.chat.completions.create(request);
    await plain.chat.completions.create(request, { headers: { "x-call": "1" } });
    await keel.chat.completions.create(request, { headers: { "x-call": "1" } });
    // The call after one with its own headers gets none of them.
    await keel.chat.completions.create(request);

    expect(received).toHaveLength(6);
    const [plainChat, keelChat, keelAgain, plainWithCall, keelWithCall, keelAfter] = received;
    for (const entry of [keelChat, keelAgain, keelAfter]) {
      expect(entry?.headerOrder).toEqual(plainChat?.headerOrder);
      expect(wire(entry)).toEqual(wire(plainChat));
    }
    expect(keelWithCall?.headerOrder).toEqual(plainWithCall?.headerOrder);
    expect(wire(keelWithCall)).toEqual(wire(plainWithCall));
    expect(keelWithCall?.headers["x-call"]).toBe("1");
    expect(keelAfter?.headers["x-call"]).toBeUndefined();
  });

  it("sends a given organization, project and default headers as the SDK does", async () => {
    const extra = { organization: "org-1", project: "proj-1", defaultHeaders: { "x-gateway": "g" } };
    await new OpenAI(optionsFor(extra)).chat.completions.create(request);
    await createKeelOpenAI(optionsFor(extra)).chat.completions.create(request);

    const [plainChat, keelChat] = received.map(wire);
    expect(keelChat).toEqual(plainChat);
    expect(keelChat?.headers).toMatchObject({
      "openai-organization": "org-1",
      "openai-project": "proj-1",
      "x-gateway": "g",
    });
  });

  it("hands Keel's fetch the call's signal and no SDK signal; without one, the SDK's", async () => {
    const inits: RequestInit[] = [];
    const nodeFetch = createNodeFetch();
    const recordingFetch: typeof fetch = (input, init) => {
      inits.push({ ...init });
      return nodeFetch(input, init);
    };
    const keel = createKeelOpenAI(optionsFor({ fetch: recordingFetch }));
    const signal = new AbortController().signal;

    await keel.chat.completions.create(request, callCancellation(signal, true).options);
    await keel.chat.completions.create(request);

    expect(inits.map((init) => init.method)).toEqual(["POST", "POST"]);
    expect(inits[0]?.signal).toBeUndefined();
    expect(inits[1]?.signal).toBeInstanceOf(AbortSignal);
  });

  it("cancels a call through the call's signal, failing as the SDK's own client does", async () => {
    const controller = new AbortController();
    controller.abort();
    const failureOf = (client: OpenAI) =>
      client.chat.completions
        .create(request, callCancellation(controller.signal, true).options)
        .catch((error: unknown) => error);

    const plainError = await failureOf(new OpenAI(optionsFor()));
    const keelError = await failureOf(createKeelOpenAI(optionsFor()));

    expect(keelError).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(keelError).toEqual(plainError);
    expect(received).toHaveLength(0);
  });

  it("turns a fetch that throws at once into the SDK's connection error, as the SDK's own path does", async () => {
    const throwing: typeof fetch = () => {
      throw new TypeError("no route");
    };
    const plain = new OpenAI(optionsFor({ fetch: throwing }));
    const keel = createKeelOpenAI(optionsFor({ fetch: throwing }));

    const plainError = await plain.chat.completions.create(request).catch((error: unknown) => error);
    const keelError = await keel.chat.completions.create(request).catch((error: unknown) => error);

    expect(plainError).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(keelError).toBeInstanceOf(OpenAI.APIConnectionError);
    expect((keelError as Error).message).toBe((plainError as Error).message);
  });

  it("keeps the SDK's timeout when one is set", async () => {
    const never: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    const keel = createKeelOpenAI(optionsFor({ fetch: never, timeout: 20 }));

    await expect(keel.chat.completions.create(request)).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});
