import { createServer, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { writeSseFrame } from "./sse-frame-write.ts";

type Write = (response: ServerResponse, frame: string) => boolean;

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server whose one answer is the frames, written with `write` (a frame first through the response where asked). */
async function serve(write: Write, options: { headFirst: boolean }): Promise<number> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream", date: "fixed" });
    if (options.headFirst) response.write("event: connected\ndata: {}\n\n\n");
    // Multi-byte text: the chunk size line counts bytes, not characters.
    write(response, 'data: {"type":"delta","content":"the lighthouse — Ørsted "}\n\n\n');
    setImmediate(() => {
      write(response, 'data: {"type":"delta","content":"keeps"}\n\n\n');
      response.end("event: return\ndata: \n\n\n");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}

/** The raw bytes of one GET in the given HTTP version, read until the server ends the answer. */
function rawAnswer(port: number, version: "1.0" | "1.1"): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const parts: Buffer[] = [];
    let tail = "";
    socket.on("data", (part) => {
      parts.push(part);
      tail = (tail + part.toString("latin1")).slice(-16);
      if (version === "1.1" && tail.endsWith("\r\n0\r\n\r\n")) socket.end();
    });
    socket.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    socket.on("error", reject);
    socket.write(
      `GET /stream HTTP/${version}\r\nHost: localhost\r\n${version === "1.1" ? "" : "Connection: close\r\n"}\r\n`,
    );
  });
}

describe("writeSseFrame", () => {
  for (const version of ["1.1", "1.0"] as const) {
    for (const headFirst of [true, false]) {
      it(`puts the same bytes on the wire as response.write (HTTP/${version}, ${headFirst ? "head already sent" : "head not yet sent"})`, async () => {
        const expected = await rawAnswer(
          await serve((response, frame) => response.write(frame), { headFirst }),
          version,
        );
        const actual = await rawAnswer(await serve(writeSseFrame, { headFirst }), version);
        expect(actual).toBe(expected);
        expect(actual).toContain("Ørsted");
        if (version === "1.1") expect(actual).toContain("Transfer-Encoding: chunked");
      });
    }
  }

  it("returns false on a full socket buffer, and the socket's drain says when to go on", async () => {
    const frame = `data: ${"x".repeat(1024 * 1024)}\n\n`;
    let frames = 0;
    let full = false;
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(": open\n\n");
      setImmediate(() => {
        while (!full && frames < 256) {
          frames += 1;
          full = !writeSseFrame(response, frame);
        }
        response.socket?.once("drain", () => response.end());
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const answer = await rawAnswer(typeof address === "object" && address !== null ? address.port : 0, "1.1");
    expect(full).toBe(true);
    const size = Buffer.byteLength(frame).toString(16);
    expect(answer.split(`\r\n${size}\r\ndata: `).length - 1).toBe(frames);
    expect(answer.endsWith("\r\n0\r\n\r\n")).toBe(true);
  });
});
