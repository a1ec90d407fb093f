import { createServer, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { relaySse } from "./sse-relay.ts";

interface Event {
  type: "delta" | "done";
  content: string;
}

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Two deltas in ticks of their own, then `done` right after the second (as a stream's last chunk and its end come). */
async function* events(): AsyncGenerator<Event> {
  yield { type: "delta", content: "the old lighthouse" };
  await new Promise((resolve) => setImmediate(resolve));
  yield { type: "delta", content: " keeps — Ørsted" };
  yield { type: "done", content: "" };
}

/** Counts the writes the socket makes (its `_write`, or one `_writev` for several buffered parts). */
function countWrites(socket: Socket): { count: number } {
  const writes = { count: 0 };
  const target = socket as Socket & { _write: (...parts: unknown[]) => void; _writev: (...parts: unknown[]) => void };
  const write = target._write.bind(target);
  const writev = target._writev.bind(target);
  target._write = (...parts) => {
    writes.count += 1;
    write(...parts);
  };
  target._writev = (...parts) => {
    writes.count += 1;
    writev(...parts);
  };
  return writes;
}

/** A server relaying `events()` and then ending as tRPC's stream does; reports the writes from the first frame on. */
async function serve(
  last: ((event: Event) => boolean) | undefined,
): Promise<{ port: number; writes: { count: number } }> {
  const writes = { count: 0 };
  const server = createServer((_request, response: ServerResponse) => {
    response.writeHead(200, { "content-type": "text/event-stream", date: "fixed" });
    response.write("event: connected\ndata: {}\n\n\n");
    setImmediate(async () => {
      const counted = countWrites(response.socket as Socket);
      const end = await relaySse({
        events: events(),
        response,
        frame: (event) => `data: ${JSON.stringify(event)}\n\n\n`,
        ...(last === undefined ? {} : { last }),
      });
      if (end.kind === "ended") response.end("event: return\ndata: \n\n\n");
      setImmediate(() => {
        writes.count = counted.count;
      });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { port: typeof address === "object" && address !== null ? address.port : 0, writes };
}

/** The raw bytes of one HTTP/1.1 GET, read until the chunked answer's end. */
function rawAnswer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const parts: Buffer[] = [];
    let tail = "";
    socket.on("data", (part) => {
      parts.push(part);
      tail = (tail + part.toString("latin1")).slice(-16);
      if (tail.endsWith("\r\n0\r\n\r\n")) socket.end();
    });
    socket.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    socket.on("error", reject);
    socket.write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
  });
}

describe("relaySse", () => {
  it("sends the last event's frame and the answer's end in one socket write, with the same bytes", async () => {
    const plain = await serve(undefined);
    const expected = await rawAnswer(plain.port);
    const held = await serve((event) => event.type !== "delta");
    const actual = await rawAnswer(held.port);

    expect(actual).toBe(expected);
    expect(actual).toContain('data: {"type":"done","content":""}');
    expect(actual.endsWith("event: return\ndata: \n\n\n\r\n0\r\n\r\n")).toBe(true);
    // Each delta one write; then `done` and the end: two writes without `last`, one with it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(plain.writes.count).toBe(4);
    expect(held.writes.count).toBe(3);
  });

  it("releases a held last frame at the end of its tick when the answer does not end", async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(": open\n\n");
      setImmediate(async () => {
        await relaySse({
          events: events(),
          response,
          frame: (event) => `data: ${JSON.stringify(event)}\n\n`,
          last: (event) => event.type !== "delta",
        });
        // The end comes much later: the held frame must not wait for it.
        setTimeout(() => response.end(), 300);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const seenAt = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const socket = connect(port, "127.0.0.1");
      let text = "";
      socket.on("data", (part) => {
        text += part.toString("utf8");
        if (text.includes('"type":"done"')) {
          resolve(Date.now() - started);
          socket.destroy();
        }
      });
      socket.on("error", reject);
      socket.write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    });
    expect(seenAt).toBeLessThan(250);
  });
});
