import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTRPCClient, httpSubscriptionLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServiceEdge, type ServiceHost } from "@keel/core";
import type { StreamEvent } from "@keel/spec";
import { createContextFactory } from "../src/context.ts";
import { startTrpcService, type AppRouter } from "../src/index.ts";
import { createAppRouter } from "../src/router.ts";
import { createStreamOverSse } from "../src/sse/stream-over-sse.ts";
import { chat, collectStream, createClient, startStack, type Stack } from "./test-support/stack.ts";
import { comparable, parseFrames, readSse, streamEvents, streamUrl, type SseAnswer } from "./test-support/sse.ts";

/**
 * ai.stream's SSE fast path (src/sse/) against tRPC's own SSE producer on the same
 * pipeline: the service (fast path on) and a second host with `directStreams: false`
 * (the reference). Every case goes through real HTTP to both and compares the whole answer
 * (status, headers, frames), then checks what it must be.
 */
const BAD_KEY = "keel_nosuchkey000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
/** Several HTTP round trips per test; 5 s was seen to run out on the shared 2-core machine. */
const TEST_TIMEOUT_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deltas = (events: StreamEvent[]) => events.flatMap((event) => (event.type === "delta" ? [event.content] : []));
/** A request that goes upstream every time, so the two answers of a pair are both real streams. */
const fresh = (content: string) => chat(content, { cache: { mode: "bypass" } });

let stack: Stack;
let reference: ServiceHost;
let referenceUrl: string;
let dataDir: string;
let admin: ReturnType<typeof createClient>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "keel-trpc-sse-"));
  stack = await startStack({ config: { dataDir, auth: { verifyCacheMs: 100 } } });
  reference = await startTrpcService({ pipeline: stack.pipeline, host: "127.0.0.1", port: 0, directStreams: false });
  referenceUrl = `${reference.url}/trpc`;
  // The first key switches authentication on (it was open on loopback until then).
  const created = await createClient(stack.url).admin.keys.create.mutate({ tenant: "ops", role: "admin", name: "op" });
  await sleep(150); // auth.verifyCacheMs
  admin = createClient(stack.url, created.key);
}, 60_000);

afterAll(async () => {
  await reference?.shutdown();
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  stack.simulator.reset();
  stack.simulator.setRules([
    { promptIncludes: "count", reply: "one two three four five six" },
    {
      promptIncludes: "die",
      reply: "alpha beta gamma delta epsilon zeta eta theta",
      fault: { type: "stream-die", afterChunks: 2 },
    },
    { promptIncludes: "slow", reply: "word ".repeat(200), latency: { perTokenMs: 40 } },
  ]);
});

async function callerKey(tenant: string, extra: Record<string, unknown> = {}): Promise<string> {
  const issued = await admin.admin.keys.create.mutate({ tenant, role: "caller", name: `${tenant}-caller`, ...extra });
  return issued.key;
}

/** The same GET to the fast path and to tRPC's; both answers must be the same. */
async function both(build: (base: string) => string, headers: Record<string, string> = {}) {
  const fast = await readSse(build(stack.url), headers);
  const trpc = await readSse(build(referenceUrl), headers);
  expect(comparable(fast)).toEqual(comparable(trpc));
  return fast;
}

function expectSerializedError(answer: SseAnswer, data: Record<string, unknown>) {
  expect(answer.status).toBe(200);
  expect(answer.headers["content-type"]).toBe("text/event-stream");
  expect(answer.frames.map((frame) => frame.event)).toEqual(["connected", "serialized-error"]);
  expect(answer.frames[1]?.data).toMatchObject({ data: { path: "ai.stream", ...data } });
}

describe("ai.stream's fast path answers as tRPC's SSE subscription does", () => {
  it(
    "no key, a wrong key in the header or in the connection params: UNAUTHENTICATED (401) before any upstream call (regression: the first fast path streamed without a key, as tenant default)",
    async () => {
      const input = fresh("count to six");
      const cases: { headers: Record<string, string>; url: (base: string) => string }[] = [
        { headers: {}, url: (base: string) => streamUrl(base, input) },
        { headers: { authorization: `Bearer ${BAD_KEY}` }, url: (base: string) => streamUrl(base, input) },
        { headers: {}, url: (base: string) => streamUrl(base, input, { authorization: `Bearer ${BAD_KEY}` }) },
        { headers: { authorization: "Basic eDp5" }, url: (base: string) => streamUrl(base, input) },
      ];
      for (const { headers, url } of cases) {
        const answer = await both(url, headers);
        expectSerializedError(answer, {
          code: "UNAUTHORIZED",
          httpStatus: 401,
          keelCode: "UNAUTHENTICATED",
          retryable: false,
        });
        expect(answer.frames[1]?.data).toMatchObject({ message: "invalid or missing API key" });
      }
      expect(stack.simulator.stats().totalCalls).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a good key (header or connection params) streams deltas, one done and tRPC's return frame, with tRPC's headers",
    async () => {
      const key = await callerKey("acme");
      for (const [headers, connectionParams] of [
        [{ authorization: `Bearer ${key}` }, undefined],
        [{}, { authorization: `Bearer ${key}` }],
      ] as const) {
        const answer = await both((base) => streamUrl(base, fresh("count to six"), connectionParams), headers);
        expect(answer.status).toBe(200);
        expect(answer.headers).toMatchObject({
          "content-type": "text/event-stream",
          "cache-control": "no-cache, no-transform",
          "x-accel-buffering": "no",
          vary: "trpc-accept, accept",
        });
        expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
        expect(answer.frames[0]).toEqual({ event: "connected", data: {} });
        expect(answer.frames.at(-1)).toEqual({ event: "return", data: "" });
        const events = streamEvents(answer);
        expect(deltas(events).join("")).toBe("one two three four five six");
        expect(events.filter((event) => event.type !== "delta")).toHaveLength(1);
        expect(events.at(-1)).toMatchObject({ type: "done", generation: { cache: "miss", attempts: 1 } });
      }
      expect(stack.simulator.stats().totalCalls).toBe(4);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "bad input, input that is not JSON, no input: tRPC's BAD_REQUEST with the field, before any upstream call",
    async () => {
      const key = await callerKey("acme");
      const headers = { authorization: `Bearer ${key}` };
      const misspelt = await both((base) => streamUrl(base, { ...chat("hi"), temprature: 0 }), headers);
      expectSerializedError(misspelt, {
        keelCode: "BAD_REQUEST",
        httpStatus: 400,
        details: { field: "temprature", hint: 'did you mean "temperature"?' },
      });
      const notJson = await both((base) => `${base}/ai.stream?input=%7Bnot-json`, headers);
      expectSerializedError(notJson, { keelCode: "BAD_REQUEST", httpStatus: 400 });
      const none = await both((base) => `${base}/ai.stream`, headers);
      expectSerializedError(none, { keelCode: "BAD_REQUEST", httpStatus: 400 });
      expect(stack.simulator.stats().totalCalls).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a stream that dies mid-way (simulator fault) ends with a typed error event, never done, then return",
    async () => {
      const key = await callerKey("acme");
      const answer = await both((base) => streamUrl(base, fresh("die please")), { authorization: `Bearer ${key}` });
      const events = streamEvents(answer);
      expect(events.some((event) => event.type === "done")).toBe(false);
      expect(events.filter((event) => event.type === "delta").length).toBeGreaterThanOrEqual(1);
      expect(events.at(-1)).toMatchObject({
        type: "error",
        error: { code: expect.stringMatching(/^UPSTREAM_/), retryable: expect.any(Boolean) },
      });
      expect(answer.frames.at(-1)).toEqual({ event: "return", data: "" });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a model the key may not call: the one FORBIDDEN (403) error event, with no upstream call",
    async () => {
      const key = await callerKey("embedder", { allowedModels: ["text-embedding-3-small"] });
      const answer = await both((base) => streamUrl(base, fresh("count to six")), { authorization: `Bearer ${key}` });
      expect(answer.status).toBe(200);
      expect(streamEvents(answer)).toEqual([
        {
          type: "error",
          error: expect.objectContaining({
            code: "FORBIDDEN",
            details: expect.objectContaining({ reason: "model-not-allowed", field: "model" }),
          }),
        },
      ]);
      expect(answer.frames.at(-1)).toEqual({ event: "return", data: "" });
      expect(stack.simulator.stats().totalCalls).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "the key's requests-per-minute limit: the second stream is the one RATE_LIMITED error event, with no upstream call",
    async () => {
      // One key per path: each path spends its own key's minute.
      const answers: SseAnswer[] = [];
      for (const base of [stack.url, referenceUrl]) {
        const key = await callerKey("limited", { limits: { requestsPerMinute: 1 } });
        const headers = { authorization: `Bearer ${key}` };
        const first = await readSse(streamUrl(base, fresh("count to six")), headers);
        expect(streamEvents(first).at(-1)?.type).toBe("done");
        answers.push(await readSse(streamUrl(base, fresh("count to six")), headers));
      }
      expect(comparable(answers[0])).toEqual(comparable(answers[1]));
      expect(streamEvents(answers[0] as SseAnswer)).toEqual([
        {
          type: "error",
          error: expect.objectContaining({
            code: "RATE_LIMITED",
            retryable: true,
            details: expect.objectContaining({ scope: "key", kind: "requests", limit: 1 }),
          }),
        },
      ]);
      expect(stack.simulator.stats().totalCalls).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "the key's concurrency limit: a second stream while one is open is refused as on tRPC's path",
    async () => {
      const answers: SseAnswer[] = [];
      for (const base of [stack.url, referenceUrl]) {
        const key = await callerKey("narrow", { limits: { concurrency: 1 } });
        const headers = { accept: "text/event-stream", authorization: `Bearer ${key}` };
        const held = new AbortController();
        const open = await fetch(streamUrl(base, fresh("slow one")), { headers, signal: held.signal });
        await firstDelta(open);
        answers.push(await readSse(streamUrl(base, fresh("count to six")), headers));
        held.abort();
        await stack.simulator.waitFor((stats) => stats.inFlight === 0, 5_000);
      }
      expect(comparable(answers[0])).toEqual(comparable(answers[1]));
      expect(streamEvents(answers[0] as SseAnswer)).toEqual([
        {
          type: "error",
          error: expect.objectContaining({
            code: "RATE_LIMITED",
            details: expect.objectContaining({ scope: "key", kind: "concurrency", limit: 1 }),
          }),
        },
      ]);
      // The two held streams only: the refused ones never went upstream.
      expect(stack.simulator.stats().totalCalls).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "the subscription guard: a GET without Accept: text/event-stream is refused (400) before any upstream call (regression: the first fast path skipped the guard)",
    async () => {
      const key = await callerKey("acme");
      const answer = await both((base) => streamUrl(base, fresh("count to six")), {
        accept: "image/avif,image/webp,*/*",
        authorization: `Bearer ${key}`,
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({
        error: { data: { keelCode: "BAD_REQUEST", details: { reason: "not-event-stream" } } },
      });
      expect(stack.simulator.stats().totalCalls).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "an input past the head size limit is refused by the server on both paths (431)",
    async () => {
      const key = await callerKey("acme");
      const answer = await both((base) => streamUrl(base, fresh("x".repeat(20_000))), {
        authorization: `Bearer ${key}`,
      });
      expect(answer.status).toBe(431);
      expect(stack.simulator.stats().totalCalls).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("ai.stream's fast path per tenant", () => {
  it(
    "keeps each tenant's cache its own through the stream: the same prompt is a miss for the other tenant",
    async () => {
      const acme = await callerKey("acme-cache");
      const globex = await callerKey("globex-cache");
      const request = chat("Describe a lighthouse at dusk");
      const run = async (key: string) =>
        streamEvents(await readSse(streamUrl(stack.url, request), { authorization: `Bearer ${key}` })).at(-1);
      expect(await run(acme)).toMatchObject({ type: "done", generation: { cache: "miss" } });
      expect(await run(globex)).toMatchObject({ type: "done", generation: { cache: "miss" } });
      expect(stack.simulator.stats().totalCalls).toBe(2);
      expect(await run(acme)).toMatchObject({ type: "done", generation: { cache: "exact", attempts: 0 } });
      // The real client, by connection params, sees its own tenant's entry too.
      const replay = await collectStream(createClient(stack.url, globex), request);
      expect(replay.events.at(-1)).toMatchObject({ type: "done", generation: { cache: "exact" } });
      expect(stack.simulator.stats().totalCalls).toBe(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "records usage and cost under the key's tenant",
    async () => {
      const key = await callerKey("metered");
      const answer = await readSse(streamUrl(stack.url, fresh("count to six")), { authorization: `Bearer ${key}` });
      const done = streamEvents(answer).at(-1);
      if (done?.type !== "done") throw new Error("no done event");
      const usage = await createClient(stack.url, key).usage.get.query();
      expect(usage.tenant).toBe("metered");
      expect(usage.totals).toMatchObject({
        requests: 1,
        errors: 0,
        promptTokens: done.generation.usage.promptTokens,
        completionTokens: done.generation.usage.completionTokens,
      });
      expect(usage.totals.costUsd).toBeCloseTo(done.generation.costUsd, 10);
      expect(done.generation.usage.totalTokens).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a caller that disconnects mid-stream aborts the upstream call (raw fetch and the real client)",
    async () => {
      const key = await callerKey("leaving");
      const held = new AbortController();
      const open = await fetch(streamUrl(stack.url, fresh("slow one")), {
        headers: { accept: "text/event-stream", authorization: `Bearer ${key}` },
        signal: held.signal,
      });
      await firstDelta(open);
      held.abort();
      let stats = await stack.simulator.waitFor(
        (current) => current.clientAborts >= 1 && current.inFlight === 0,
        5_000,
      );
      expect(stats).toMatchObject({ clientAborts: 1, totalCalls: 1 });

      const outcome = await collectStream(createClient(stack.url, key), fresh("slow two"), (event, unsubscribe) => {
        if (event.type === "delta") unsubscribe();
      });
      expect(outcome.completed).toBe(false);
      // 200 tokens at 40 ms would take 8 s; the upstream must see the close long before.
      stats = await stack.simulator.waitFor((current) => current.clientAborts >= 2 && current.inFlight === 0, 5_000);
      expect(stats).toMatchObject({ clientAborts: 2, totalCalls: 2 });
    },
    TEST_TIMEOUT_MS,
  );
});

describe("which requests the fast path takes", () => {
  let server: Server;
  let origin: string;
  const taken: boolean[] = [];
  beforeAll(async () => {
    const edge = createServiceEdge(stack.pipeline, { service: "trpc" });
    const streamOverSse = createStreamOverSse({
      router: createAppRouter(stack.pipeline, edge),
      basePath: "/trpc/",
      createContext: createContextFactory({ edge, trackStream: () => () => true }),
      pingIntervalMs: 15_000,
    });
    // Records the decision; what it does not take is answered 404 (the service passes it to tRPC).
    server = createServer((request, response) => {
      const direct = streamOverSse.handle(request, response);
      taken.push(direct);
      if (!direct) response.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const input = encodeURIComponent(JSON.stringify(chat("count to six")));
  const params = encodeURIComponent(JSON.stringify({ authorization: "Bearer x" }));
  const cases: { name: string; path: string; headers?: Record<string, string>; direct: boolean }[] = [
    { name: "input only", path: `/ai.stream?input=${input}`, direct: true },
    { name: "connection params and input", path: `/ai.stream?connectionParams=${params}&input=${input}`, direct: true },
    { name: "no query", path: "/ai.stream", direct: true },
    { name: "a lastEventId parameter", path: `/ai.stream?input=${input}&lastEventId=3`, direct: false },
    {
      name: "a Last-Event-ID header",
      path: `/ai.stream?input=${input}`,
      headers: { "last-event-id": "3" },
      direct: false,
    },
    { name: "another parameter", path: `/ai.stream?input=${input}&x=1`, direct: false },
    { name: "input twice", path: `/ai.stream?input=${input}&input=${input}`, direct: false },
    { name: "a batch", path: `/ai.stream,ai.stream?batch=1&input=${input}`, direct: false },
    { name: "another subscription", path: "/ai.batchStream?input=%7B%7D", direct: false },
    {
      name: "connection params that are not strings",
      path: `/ai.stream?connectionParams=%7B%22a%22%3A1%7D`,
      direct: false,
    },
    { name: "connection params that are not JSON", path: "/ai.stream?connectionParams=%7B", direct: false },
    {
      name: "trpc-accept",
      path: `/ai.stream?input=${input}`,
      headers: { "trpc-accept": "application/jsonl" },
      direct: false,
    },
    {
      name: "a content type",
      path: `/ai.stream?input=${input}`,
      headers: { "content-type": "text/plain" },
      direct: false,
    },
  ];
  for (const { name, path, headers, direct } of cases) {
    it(
      `${name}: ${direct ? "taken" : "left to tRPC"}`,
      async () => {
        taken.length = 0;
        const response = await fetch(`${origin}${path}`, { headers: { accept: "text/event-stream", ...headers } });
        await response.text();
        expect(taken).toEqual([direct]);
        expect(response.status).toBe(direct ? 200 : 404);
      },
      TEST_TIMEOUT_MS,
    );
  }

  it(
    "the real tRPC client (httpSubscriptionLink, EventSource) is served by it, its key in the header or the connection params",
    async () => {
      const key = await callerKey("client");
      const byHeader = createTRPCClient<AppRouter>({
        links: [
          httpSubscriptionLink({
            url: origin,
            EventSource,
            eventSourceOptions: () => ({
              fetch: (url, init) =>
                fetch(url, { ...init, headers: { ...(init?.headers as object), authorization: `Bearer ${key}` } }),
            }),
          }),
        ],
      });
      for (const client of [byHeader, createClient(origin, key)]) {
        taken.length = 0;
        const outcome = await collectStream(client, fresh("count to six"));
        expect(taken).toEqual([true]);
        expect(outcome).toMatchObject({ completed: true });
        expect(deltas(outcome.events).join("")).toBe("one two three four five six");
        expect(outcome.events.at(-1)?.type).toBe("done");
      }

      taken.length = 0;
      const refused = await collectStream(createClient(origin, BAD_KEY), fresh("count to six"));
      expect(taken).toEqual([true]);
      expect(refused.error).toBeInstanceOf(TRPCClientError);
      expect(refused.error?.data).toMatchObject({ keelCode: "UNAUTHENTICATED", httpStatus: 401, path: "ai.stream" });
      expect(refused.events).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/** Reads an open SSE answer until its first delta has arrived (the upstream call is under way). */
async function firstDelta(response: Response): Promise<void> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!parseFrames(text).some((frame) => (frame.data as StreamEvent | undefined)?.type === "delta")) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`the stream ended before a delta: ${text}`);
    text += decoder.decode(chunk.value, { stream: true });
  }
}
