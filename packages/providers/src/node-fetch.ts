import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { onceAborted } from "@keel/spec";
import { BufferedResponse } from "./buffered-response.ts";
import { CALL_SIGNAL, type CallSignalInit } from "./call-signal.ts";
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_EVENT_BYTES,
  EventSizeMeter,
  UpstreamReadLimitError,
} from "./read-limits.ts";

// Calls beyond this many open connections to one upstream wait for a free one.
const MAX_SOCKETS = 256;
// Idle pooled sockets close after this (undici's keepAliveTimeout); Node shortens it
// to a server's `Keep-Alive: timeout=N` hint minus a second, so reuse never races the close.
const IDLE_SOCKET_MS = 4_000;
// Statuses whose Response must have a null body (the constructor throws otherwise).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the openai SDK on `node:http`/`node:https` with one keep-alive pool per
 * call of this factory. Node's own fetch (undici) costs several times more CPU per call
 * in request objects, header validation, abort signals and web streams; this one keeps
 * only what the SDK reads. Timeouts are left to the caller's signal, as Keel's deadlines
 * rule. What it does not handle (a `Request` object, a streamed or multipart body) goes
 * to the global fetch.
 *
 * Non-streamed answers are read whole before it resolves (a cut body rejects, like a
 * failed connection); a `text/event-stream` answer resolves at once with a body that
 * streams, and errors if the connection dies. Aborting the signal destroys the
 * connection and rejects (or errors the body) with an `AbortError`.
 *
 * Reads are bounded: a body over `maxBodyBytes` (by its Content-Length, or as it
 * arrives) and an SSE event over `maxEventBytes` destroy the connection and reject (or
 * error the body) with an `UpstreamReadLimitError`, so no upstream can fill the heap.
 */
export function createNodeFetch(limits: NodeFetchLimits = {}): typeof fetch {
  const readLimits: Required<NodeFetchLimits> = {
    maxBodyBytes: limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxEventBytes: limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
  };
  const agentOptions = {
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    timeout: IDLE_SOCKET_MS,
    scheduling: "lifo" as const,
  };
  let httpAgent: HttpAgent | undefined;
  let httpsAgent: HttpsAgent | undefined;

  return (input, init) => {
    const body = init?.body;
    const url = typeof input === "string" ? new URL(input) : input instanceof URL ? input : undefined;
    if (
      url === undefined ||
      !(
        body === undefined ||
        body === null ||
        typeof body === "string" ||
        body instanceof Uint8Array ||
        body instanceof ArrayBuffer
      )
    ) {
      return fetch(input, init);
    }
    // A call's own signal (call-signal.ts) stands in for the SDK's, which only its timeout (off) would abort.
    const signal = (init as CallSignalInit | undefined)?.[CALL_SIGNAL] ?? init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError());
    const secure = url.protocol === "https:";
    let agent: HttpAgent | HttpsAgent;
    if (secure) {
      httpsAgent ??= new HttpsAgent(agentOptions);
      agent = httpsAgent;
    } else {
      httpAgent ??= new HttpAgent(agentOptions);
      agent = httpAgent;
    }
    const outgoing = (secure ? httpsRequest : httpRequest)(url, {
      agent,
      method: init?.method ?? "GET",
      headers: toNodeHeaders(init?.headers),
    });
    return exchange(outgoing, {
      body: body instanceof ArrayBuffer ? new Uint8Array(body) : body,
      signal,
      limits: readLimits,
    });
  };
}

export interface NodeFetchLimits {
  /** Largest non-streamed body read, in bytes. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Largest single SSE event read, in bytes. Default 1 MiB. */
  maxEventBytes?: number;
}

interface ExchangeOptions {
  body: string | Uint8Array | null | undefined;
  signal: AbortSignal | undefined;
  limits: Required<NodeFetchLimits>;
}

function exchange(outgoing: ClientRequest, options: ExchangeOptions): Promise<Response> {
  const { body, signal, limits } = options;
  return new Promise((resolve, reject) => {
    let incoming: IncomingMessage | undefined;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      unhook();
      reject(error);
    };
    const succeed = (response: Response, keepListening: boolean) => {
      settled = true;
      if (!keepListening) unhook();
      resolve(response);
    };
    // Before the answer, the request is destroyed; after it, the answer (and so the socket).
    // The caller checked that the signal had not aborted yet, so this never runs at once.
    const unhook = signal
      ? onceAborted(signal, () => {
          const error = abortError();
          if (incoming === undefined) outgoing.destroy(error);
          else incoming.destroy(error);
          fail(error);
        })
      : () => {};

    // `on`, not `once`: a socket can report a second error, which must not go unheard.
    outgoing.on("error", fail);
    outgoing.once("response", (answer) => {
      incoming = answer;
      const status = answer.statusCode ?? 0;
      const init = { status, statusText: answer.statusMessage ?? "", headers: toHeaders(answer.rawHeaders) };
      if (NULL_BODY_STATUSES.has(status) || outgoing.method === "HEAD") {
        answer.resume();
        succeed(new Response(null, init), false);
      } else if (answer.headers["content-type"]?.startsWith("text/event-stream")) {
        answer.once("end", unhook);
        const meter = new EventSizeMeter(limits.maxEventBytes);
        // Before toWeb's own listener: an oversized event never reaches the SDK's parser.
        answer.on("data", (chunk: Buffer) => {
          if (!meter.accept(chunk))
            answer.destroy(new UpstreamReadLimitError("upstream-event-too-large", limits.maxEventBytes));
        });
        succeed(new Response(Readable.toWeb(answer) as ReadableStream<Uint8Array>, init), true);
      } else {
        const tooLarge = () => {
          const error = new UpstreamReadLimitError("upstream-body-too-large", limits.maxBodyBytes);
          answer.destroy(error);
          fail(error);
        };
        answer.on("error", fail);
        if (Number(answer.headers["content-length"] ?? 0) > limits.maxBodyBytes) {
          tooLarge();
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        answer.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > limits.maxBodyBytes) tooLarge();
          else chunks.push(chunk);
        });
        answer.once("end", () => {
          if (settled) return;
          // Socket chunks sit on plain ArrayBuffers; the type says so for a DOM-typed reader of this file (the dashboard's typecheck).
          const whole = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) as
            | Uint8Array<ArrayBuffer>
            | undefined;
          succeed(new BufferedResponse(whole ?? new Uint8Array(0), init), false);
        });
      }
    });
    outgoing.end(body ?? undefined);
  });
}

/** What fetch rejects with on abort: the SDK and Keel recognise the name. */
function abortError(): DOMException {
  return new DOMException("This operation was aborted", "AbortError");
}

/** The SDK sends a `Headers`; records (values may be lists) and pair lists work as in fetch. */
function toNodeHeaders(headers: RequestInit["headers"]): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  if (headers === undefined || headers === null) return result;
  const pairs: Iterable<readonly [string, string | readonly string[]]> =
    headers instanceof Headers || Array.isArray(headers)
      ? (headers as Iterable<readonly [string, string]>)
      : Object.entries(headers);
  for (const [name, given] of pairs) {
    const key = name.toLowerCase();
    const value = typeof given === "string" ? given : given.join(", ");
    const previous = result[key];
    result[key] = previous === undefined ? value : `${String(previous)}, ${value}`;
  }
  return result;
}

function toHeaders(rawHeaders: string[]): Headers {
  const headers = new Headers();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2)
    headers.append(rawHeaders[index]!, rawHeaders[index + 1]!);
  return headers;
}
