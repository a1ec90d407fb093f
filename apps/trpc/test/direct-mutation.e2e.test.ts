import { createServiceEdge } from "@keel/core";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContextFactory } from "../src/context.ts";
import { createDirectMutationHandler } from "../src/direct-mutation.ts";
import { createAppRouter } from "../src/router.ts";
import { startStack, type Stack } from "./test-support/stack.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * One POST over real HTTP. With `contentLength` the service's direct mutation path takes
 * it; without (a chunked body) it goes through tRPC's own node adapter, the reference the
 * direct path must match.
 */
function post(options: { url: string; body: string; contentLength: boolean; contentType?: string }): Promise<Answer> {
  const url = new URL(options.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        headers: {
          "content-type": options.contentType ?? "application/json",
          ...(options.contentLength
            ? { "content-length": Buffer.byteLength(options.body) }
            : { "transfer-encoding": "chunked" }),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/**
 * Fields that differ between two calls replaced (ids, timings, and the simulator's text,
 * which differs per call, with its token counts and cost), so two answers compare whole.
 */
function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, field) =>
    ["id", "latencyMs", "requestId", "content", "usage", "costUsd"].includes(key) ? "<varies>" : field,
  );
}

describe("unbatched and batch-of-one mutations (the direct path) answer as tRPC's adapter does", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const generate = () => `${stack.url}/ai.generate`;
  const message = (content: string) => ({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content }],
    temperature: 0,
  });
  // Both calls of a parity pair go upstream: the second must not be the first's cache hit.
  const uncached = (content: string) => ({ ...message(content), cache: { mode: "bypass" } });

  it("a plain JSON POST gets the envelope, an x-request-id and tRPC's headers, after one upstream call", async () => {
    stack.simulator.reset();
    const answer = await post({ url: generate(), body: JSON.stringify(message("direct one")), contentLength: true });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers.vary).toBe("trpc-accept, accept");
    expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.body).toMatchObject({
      result: { data: { model: "gpt-4o-mini", cache: "miss", attempts: 1, provider: "simulator" } },
    });
    expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
  });

  const cases: { name: string; path: string; body: string }[] = [
    { name: "a valid request", path: "ai.generate", body: JSON.stringify(uncached("parity valid")) },
    { name: "a misspelt field", path: "ai.generate", body: JSON.stringify({ ...message("x"), temprature: 0 }) },
    { name: "an unknown model", path: "ai.generate", body: JSON.stringify({ ...message("x"), model: "nope" }) },
    { name: "malformed JSON", path: "ai.generate", body: '{"model": "gpt-4o-mini", "messages": [' },
    { name: "an empty body", path: "ai.generate", body: "" },
    { name: "a JSON array", path: "ai.generate", body: "[1, 2]" },
    { name: "a batch of one", path: "ai.generate?batch=1", body: JSON.stringify({ 0: uncached("parity batch") }) },
    { name: "a batch of one, bad input", path: "ai.generate?batch=1", body: JSON.stringify({ 0: { model: 1 } }) },
    { name: "a batch with a non-object body", path: "ai.generate?batch=1", body: "[1]" },
    { name: "a batch with malformed JSON", path: "ai.generate?batch=1", body: "{" },
  ];
  for (const { name, path, body } of cases) {
    it(`${name}: the same status, body and content type either way`, async () => {
      const url = `${stack.url}/${path}`;
      const direct = await post({ url, body, contentLength: true });
      const adapter = await post({ url, body, contentLength: false });
      expect(direct.status).toBe(adapter.status);
      expect(comparable(direct.body)).toEqual(comparable(adapter.body));
      expect(direct.headers["content-type"]).toBe(adapter.headers["content-type"]);
      expect(direct.headers.vary).toBe(adapter.headers.vary);
    });
  }

  it("a valid request served from the cache says so on the direct path too", async () => {
    const body = JSON.stringify(message("direct cached"));
    await post({ url: generate(), body, contentLength: true });
    const second = await post({ url: generate(), body, contentLength: true });
    expect(second.body).toMatchObject({ result: { data: { cache: "exact" } } });
  });

  it("a body over the limit still gets tRPC's 413, and another content type tRPC's answer", async () => {
    const large = JSON.stringify(message("x".repeat(stack.pipeline.config.services.maxBodyBytes)));
    const tooLarge = await post({ url: generate(), body: large, contentLength: true });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ error: { data: { keelCode: "BAD_REQUEST" } } });
    const text = await post({ url: generate(), body: "hello", contentLength: true, contentType: "text/plain" });
    const textByAdapter = await post({
      url: generate(),
      body: "hello",
      contentLength: false,
      contentType: "text/plain",
    });
    expect(text.status).toBe(textByAdapter.status);
    expect(comparable(text.body)).toEqual(comparable(textByAdapter.body));
  });

  it("a caller that goes away aborts the upstream call", async () => {
    stack.simulator.reset();
    stack.simulator.setRules([{ model: "gpt-4o-mini", latency: { ttftMs: 2_000 } }]);
    try {
      const body = JSON.stringify(message("gone"));
      const url = new URL(generate());
      const outgoing = httpRequest({
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      outgoing.on("error", () => {});
      outgoing.end(body);
      await waitFor(() => stack.simulator.stats().inFlight === 1);
      outgoing.destroy();
      await waitFor(() => stack.simulator.stats().inFlight === 0);
      expect(stack.simulator.stats().calls["gpt-4o-mini"]).toBe(1);
    } finally {
      stack.simulator.setRules([]);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 1_500): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("which requests the direct path takes", () => {
  let stack: Stack;
  let server: Server;
  let origin: string;
  const taken: boolean[] = [];
  beforeAll(async () => {
    stack = await startStack();
    const edge = createServiceEdge(stack.pipeline, { service: "trpc" });
    const handleDirectly = createDirectMutationHandler({
      router: createAppRouter(stack.pipeline, edge),
      basePath: "/trpc/",
      maxBodyBytes: 10_000,
      createContext: createContextFactory({ edge, trackStream: () => () => true }),
    });
    // Records the decision; what it does not take is answered 404 (the service passes it to tRPC).
    server = createServer((request, response) => {
      const direct = handleDirectly(request, response);
      taken.push(direct);
      if (!direct) response.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await stack.close();
  });

  const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
  const cases: {
    name: string;
    path: string;
    contentLength?: boolean;
    contentType?: string;
    direct: boolean;
    batch?: boolean;
  }[] = [
    { name: "an unbatched mutation", path: "/trpc/ai.generate", direct: true },
    { name: "a batch of one", path: "/trpc/ai.generate?batch=1", direct: true, batch: true },
    { name: "a batch of two", path: "/trpc/ai.generate,ai.generate?batch=1", direct: false },
    { name: "another query string", path: "/trpc/ai.generate?x=1", direct: false },
    { name: "a subscription", path: "/trpc/ai.stream", direct: false },
    { name: "an unknown procedure", path: "/trpc/ai.nothing", direct: false },
    { name: "a chunked body", path: "/trpc/ai.generate", contentLength: false, direct: false },
    { name: "text/plain", path: "/trpc/ai.generate", contentType: "text/plain", direct: false },
  ];
  for (const { name, path, contentLength, contentType, direct, batch } of cases) {
    it(`${name}: ${direct ? "taken" : "left to tRPC"}`, async () => {
      taken.length = 0;
      const answer = await post({
        url: `${origin}${path}`,
        body: batch ? `{"0":${body}}` : body,
        contentLength: contentLength ?? true,
        ...(contentType === undefined ? {} : { contentType }),
      });
      expect(taken).toEqual([direct]);
      expect(answer.status).toBe(direct ? 200 : 404);
    });
  }

  it("a body over the limit is left to tRPC (which answers 413)", async () => {
    taken.length = 0;
    await post({ url: `${origin}/trpc/ai.generate`, body: body.padEnd(10_001, " "), contentLength: true });
    expect(taken).toEqual([false]);
  });
});
