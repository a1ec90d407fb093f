import type { ServerResponse } from "node:http";

/** What Node's ServerResponse keeps that says whether writing to its socket directly is safe (Node 20's names). */
interface ResponseInternals {
  _headerSent?: boolean;
  chunkedEncoding?: boolean;
  outputData?: unknown[];
}

/**
 * Writes one SSE frame to a chunked response as one socket write: the chunk's size line,
 * the frame and its CRLF in a single string. `response.write` sends the same bytes as four
 * buffered writes behind a cork it lifts on the next tick (a `nextTick`, four write
 * requests and a `writev` per event); this is one `write`. Only when the response is the
 * socket's current message, its head already went out and nothing of it is buffered, with
 * chunked encoding; otherwise (an HTTP/1.0 caller, a pipelined response still queued, a
 * response that ended) it is `response.write`. Either way the bytes on the wire are the
 * same. Returns false when the socket's buffer is full: wait for `drain` on the socket or
 * the response (`relaySse` waits for either).
 */
export function writeSseFrame(response: ServerResponse, frame: string): boolean {
  const internals = response as ServerResponse & ResponseInternals;
  const socket = response.socket;
  if (
    socket === null ||
    internals._headerSent !== true ||
    internals.chunkedEncoding !== true ||
    internals.outputData?.length !== 0 ||
    response.writableEnded ||
    frame.length === 0 ||
    socket.destroyed
  ) {
    return response.write(frame);
  }
  return socket.write(`${Buffer.byteLength(frame).toString(16)}\r\n${frame}\r\n`);
}

/**
 * Holds the answer's socket corked until the end of this tick, so what is written to it
 * meanwhile (a stream's last frame, then the answer's end) leaves in one write, as Node's
 * own `response.write` holds its parts. `writeSseFrame` writes each frame at once, since
 * deltas come in ticks of their own; before the last event the relay asks for this, and
 * the end's bytes join the last frame's instead of costing a write of their own. A no-op
 * when the socket is gone or already corked.
 */
export function corkUntilTickEnd(response: ServerResponse): void {
  const socket = response.socket;
  if (socket === null || socket.destroyed || socket.writableCorked > 0) return;
  socket.cork();
  process.nextTick(uncork, socket);
}

function uncork(socket: NonNullable<ServerResponse["socket"]>): void {
  // The answer's end() uncorks fully itself; then this finds nothing to do.
  if (socket.writableCorked > 0) socket.uncork();
}
