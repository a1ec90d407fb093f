import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from "node:http";
import type { StatsRecorder } from "./stats.ts";
import { errorBody, errorTypeFor, type ErrorFields } from "./wire-format.ts";

type HeaderList = OutgoingHttpHeader[];

/**
 * One /v1 request from arrival to its end: answers it, runs its delays, and keeps the
 * stats honest. When the socket closes first, every pending timer is cleared and the
 * request counts as a client abort, unless the simulator closed it on purpose.
 */
export class Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  private readonly stats: StatsRecorder;
  private timer: NodeJS.Timeout | undefined;
  private closedOnPurpose = false;
  closed = false;

  constructor(request: IncomingMessage, response: ServerResponse, stats: StatsRecorder) {
    this.request = request;
    this.response = response;
    this.stats = stats;
    stats.inFlight++;
    stats.totalCalls++;
    stats.busySockets.add(request.socket);
    response.once("close", () => this.onClose());
  }

  sendJson(status: number, body: string, extraHeaders?: HeaderList): void {
    const headers: HeaderList = ["content-type", "application/json", "content-length", Buffer.byteLength(body)];
    if (extraHeaders !== undefined) headers.push(...extraHeaders);
    this.response.writeHead(status, headers);
    this.response.end(body);
  }

  sendError(status: number, fields: Omit<ErrorFields, "type"> & { type?: string }, extraHeaders?: HeaderList): void {
    const body = errorBody({ ...fields, type: fields.type ?? errorTypeFor(status) });
    this.sendJson(status, body, extraHeaders);
  }

  /** Runs `action` after `delayMs`, at once when 0; never after the socket closed. */
  after(delayMs: number, action: () => void): void {
    if (this.closed) return;
    if (delayMs <= 0) {
      action();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) action();
    }, delayMs);
  }

  /** Kills the connection without a proper end: the `reset` and `stream-die` faults. */
  destroySocket(): void {
    this.closedOnPurpose = true;
    this.request.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.stats.inFlight--;
    this.stats.busySockets.delete(this.request.socket);
    if (!this.response.writableFinished && !this.closedOnPurpose) this.stats.clientAborts++;
  }
}
