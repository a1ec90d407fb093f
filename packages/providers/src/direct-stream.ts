import { Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { urlToHttpOptions } from "node:url";
import { onceAborted } from "@keel/spec";
import { APIConnectionError, APIError, APIUserAbortError } from "openai";
import type OpenAI from "openai";
import { AnswerChunks, headersOf } from "./answer-chunks.ts";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_EVENT_BYTES, UpstreamReadLimitError } from "./read-limits.ts";

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/** The streamed chunks of one call, and what ends it (the SDK's `Stream` has both: its controller is an AbortController). */
export type ChunkStream = AsyncIterable<Chunk> & { controller: { abort(): void } };

/** Opens a streamed chat completion: resolves once the upstream answered 2xx, rejects as the SDK would. */
export type DirectStreamCall = (body: object, signal: AbortSignal) => Promise<ChunkStream>;

export interface DirectStreamOptions {
  baseURL: string;
  apiKey: string;
  organization?: string | undefined;
  headers?: Record<string, string> | undefined;
  maxBodyBytes?: number | undefined;
  maxEventBytes?: number | undefined;
}

const SOCKETS = { keepAlive: true, maxSockets: 256, timeout: 4_000, scheduling: "lifo" as const };

/**
 * Streamed chat completions on node:http without the SDK's request machinery and web
 * streams: one POST, the answer's bytes decoded as the SDK decodes SSE, one JSON parse per
 * event. Everything the SDK would throw is thrown the same way, with the SDK's own error
 * classes, so the provider maps failures exactly as before: a non-2xx answer is
 * `APIError.generate(status, json, text, headers)`, a failed connection an
 * `APIConnectionError` (an abort `APIUserAbortError`), an `{error}` event an `APIError`, an
 * event that does not parse a SyntaxError; read limits are the node fetch's. Used only
 * with Keel's own fetch (a caller's `fetch` keeps the SDK path) and a base URL without a
 * query string.
 */
export function createDirectStreamCall(options: DirectStreamOptions): DirectStreamCall | undefined {
  const base = new URL(options.baseURL);
  if (base.search !== "" || (base.protocol !== "http:" && base.protocol !== "https:")) return undefined;
  const url = new URL(`${base.href.replace(/\/+$/, "")}/chat/completions`);
  // Resolved once: a URL given to http.request is turned into these options on every call.
  const target = urlToHttpOptions(url);
  const secure = url.protocol === "https:";
  const agent = secure ? new HttpsAgent(SOCKETS) : new HttpAgent(SOCKETS);
  const send = secure ? httpsRequest : httpRequest;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const headers: OutgoingHttpHeaders = {
    "content-type": "application/json",
    accept: "application/json",
    ...(options.organization ? { "openai-organization": options.organization } : {}),
    ...lowerCased(options.headers),
    authorization: `Bearer ${options.apiKey}`,
  };

  return (body, signal) =>
    new Promise<ChunkStream>((resolve, reject) => {
      if (signal.aborted) {
        reject(new APIUserAbortError());
        return;
      }
      const payload = Buffer.from(JSON.stringify(body));
      const outgoing = send({
        ...target,
        agent,
        method: "POST",
        headers: { ...headers, "content-length": payload.length },
      });
      // No AbortController per call: a flag, and the request destroyed once.
      let aborted = false;
      const abort = () => {
        if (aborted) return;
        aborted = true;
        outgoing.destroy(abortError());
      };
      let answered = false;
      const stopListening = onceAborted(signal, abort);
      const fail = (error: Error) => {
        if (answered) return;
        answered = true;
        stopListening();
        if (signal.aborted || aborted) reject(new APIUserAbortError());
        else if (error instanceof APIError) reject(error);
        else reject(new APIConnectionError({ message: "Connection error.", cause: error }));
      };
      outgoing.on("error", fail);
      outgoing.once("response", (answer) => {
        const status = answer.statusCode ?? 0;
        if (status < 200 || status > 299) {
          readError(answer, maxBodyBytes).then(
            (text) => fail(statusError(status, text, answer)),
            (error: Error) => fail(error),
          );
          return;
        }
        answered = true;
        const chunks = new AnswerChunks(answer, { maxEventBytes, aborted: () => aborted, abort, stopListening });
        resolve(Object.assign(chunks, { controller: { abort } }));
      });
      outgoing.end(payload);
    });
}

/** The body of a failed answer, bounded as the node fetch bounds it. */
function readError(answer: IncomingMessage, maxBodyBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(answer.headers["content-length"] ?? 0) > maxBodyBytes) {
      answer.destroy();
      reject(new UpstreamReadLimitError("upstream-body-too-large", maxBodyBytes));
      return;
    }
    const parts: Buffer[] = [];
    let received = 0;
    answer.on("data", (part: Buffer) => {
      received += part.length;
      if (received > maxBodyBytes) {
        answer.destroy();
        reject(new UpstreamReadLimitError("upstream-body-too-large", maxBodyBytes));
      } else parts.push(part);
    });
    answer.once("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    answer.once("error", reject);
  });
}

/** What the SDK throws for a non-2xx answer (its client's makeStatusError). */
function statusError(status: number, text: string, answer: IncomingMessage): APIError {
  let json: object | undefined;
  try {
    json = JSON.parse(text) as object;
  } catch {
    json = undefined;
  }
  return APIError.generate(status, json, json ? undefined : text, headersOf(answer));
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}

function abortError(): DOMException {
  return new DOMException("This operation was aborted", "AbortError");
}
