import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNodeFetch } from "./node-fetch.ts";
import { until } from "./test-support/recording-context.ts";

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
let closedRequests = 0;
let receivedRequests = 0;
const nodeFetch = createNodeFetch();

beforeAll(async () => {
  server = createServer((request, response) => {
    receivedRequests += 1;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => handler(request, Buffer.concat(chunks).toString("utf8"), response));
    response.once("close", () => (closedRequests += 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  closedRequests = 0;
  receivedRequests = 0;
});

/** Answers with what arrived: method, the headers the test asks about, the body. */
const echo: Handler = (request, body, response) => {
  response.writeHead(
    201,
    [
      ["content-type", "application/json"],
      ["x-echo", "one"],
      ["x-echo", "two"],
    ].flat(),
  );
  response.end(
    JSON.stringify({
      method: request.method,
      custom: request.headers["x-custom"],
      type: request.headers["content-type"],
      length: request.headers["content-length"],
      body,
    }),
  );
};

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a rejection");
}

describe("createNodeFetch", () => {
  it.each([
    ["a Headers object", new Headers({ "X-Custom": "a", "content-type": "application/json" })],
    ["a record", { "X-Custom": "a", "content-type": "application/json" }],
    [
      "a list of pairs",
      [
        ["X-Custom", "a"],
        ["content-type", "application/json"],
      ] as [string, string][],
    ],
  ])("sends method, headers given as %s, and a string body; reads status, headers and body", async (_form, headers) => {
    handler = echo;
    const response = await nodeFetch(`${base}/v1/echo`, { method: "POST", headers, body: '{"hello":"wörld"}' });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get("x-echo")).toBe("one, two");
    expect(await response.json()).toEqual({
      method: "POST",
      custom: "a",
      type: "application/json",
      length: "18",
      body: '{"hello":"wörld"}',
    });
  });

  it("sends a Uint8Array body and a GET without one", async () => {
    handler = echo;
    const posted = await nodeFetch(new URL(`${base}/bytes`), {
      method: "PUT",
      body: new TextEncoder().encode("bytes"),
    });
    expect(await posted.json()).toMatchObject({ method: "PUT", length: "5", body: "bytes" });
    const fetched = await nodeFetch(`${base}/plain`);
    expect(await fetched.json()).toMatchObject({ method: "GET", body: "" });
  });

  it("gives a 204 a null body and an error status its text", async () => {
    handler = (request, _body, response) => {
      if (request.url === "/empty") response.writeHead(204).end();
      else response.writeHead(503, { "retry-after": "2" }).end("busy");
    };
    const empty = await nodeFetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const failed = await nodeFetch(`${base}/busy`);
    expect(failed).toMatchObject({ status: 503, ok: false });
    expect(failed.headers.get("retry-after")).toBe("2");
    expect(await failed.text()).toBe("busy");
  });

  it("streams an event-stream body piece by piece, as the server sends it", async () => {
    let sendRest: (() => void) | undefined;
    handler = (_request, _body, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: first\n\n");
      sendRest = () => response.end("data: last\n\n");
    };
    const response = await nodeFetch(`${base}/sse`, { method: "POST", body: "{}" });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    // The first piece arrives while the server still holds back the rest: not buffered.
    expect(decoder.decode((await reader.read()).value)).toBe("data: first\n\n");
    sendRest!();
    expect(decoder.decode((await reader.read()).value)).toBe("data: last\n\n");
    expect((await reader.read()).done).toBe(true);
  });

  it("rejects with an AbortError and closes the connection when aborted mid-body", async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"partial":'); // ... and nothing more
    };
    const controller = new AbortController();
    const pending = rejectionOf(nodeFetch(`${base}/stall`, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    expect((await pending).name).toBe("AbortError");
    await until(() => closedRequests === 1);
  });

  it("errors a streaming body with an AbortError when aborted mid-stream", async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: first\n\n");
    };
    const controller = new AbortController();
    const response = await nodeFetch(`${base}/sse-stall`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    expect((await rejectionOf(reader.read())).name).toBe("AbortError");
    await until(() => closedRequests === 1);
  });

  it("rejects at once, sending nothing, when the signal is already aborted", async () => {
    handler = echo;
    const error = await rejectionOf(nodeFetch(`${base}/never`, { signal: AbortSignal.abort() }));
    expect(error.name).toBe("AbortError");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(receivedRequests).toBe(0);
  });

  it("rejects with the socket's code when the server resets mid-body or refuses", async () => {
    handler = (request, _body, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"cut":', () => request.socket.destroy());
    };
    const reset = await rejectionOf(nodeFetch(`${base}/cut`));
    expect(reset.code).toBe("ECONNRESET");

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await rejectionOf(nodeFetch(`http://127.0.0.1:${port}/`))).code).toBe("ECONNREFUSED");
  });

  it("hands a Request object to the global fetch", async () => {
    handler = echo;
    const response = await nodeFetch(new Request(`${base}/request`, { method: "POST", body: "via undici" }));
    expect(await response.json()).toMatchObject({ method: "POST", body: "via undici" });
  });
});
