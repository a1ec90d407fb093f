import type { IncomingMessage } from "node:http";
import { APIError } from "openai";
import type OpenAI from "openai";
import { EventSizeMeter, UpstreamReadLimitError } from "./read-limits.ts";
import { SseDecoder } from "./sse-decoder.ts";

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const DONE: IteratorResult<Chunk> = { value: undefined, done: true };

/** Parsed chunks the consumer has not taken yet before the socket is paused. */
const MOST_QUEUED = 64;

export interface AnswerChunksOptions {
  maxEventBytes: number;
  /** True once the call was aborted (by the caller's signal or `abort()`): a failure then ends quietly. */
  aborted: () => boolean;
  /** Aborts the upstream call (destroys its request). */
  abort: () => void;
  /** Unhooks the call from the caller's signal. */
  stopListening: () => void;
}

/**
 * The events of a 2xx answer as chunks, as the SDK's Stream yields them, read from the
 * answer's `data` events: each buffer is decoded and parsed once as it arrives, and a
 * consumer's `next()` is answered from the queue, or by the next buffer. This replaces an
 * async generator over the answer's async iterator (two promise layers and a `readable`
 * round trip per chunk) with one promise per chunk waited for.
 *
 * The rules are the generator's: chunks completed before a failure still go out, then the
 * failure is thrown (an `{error}` event an `APIError`, an event that does not parse a
 * SyntaxError, an event over the limit `UpstreamReadLimitError`, a broken answer its
 * error); after `[DONE]` nothing more is parsed; a failure after an abort ends quietly, as
 * the SDK's Stream does. Ending without `[DONE]` or the answer's end aborts the call, and an
 * answer not read to its end is destroyed.
 */
export class AnswerChunks implements AsyncIterableIterator<Chunk> {
  readonly #answer: IncomingMessage;
  readonly #options: AnswerChunksOptions;
  readonly #meter: EventSizeMeter;
  readonly #decoder = new SseDecoder();
  readonly #text = new TextDecoder();
  #queue: Chunk[] = [];
  #taken = 0;
  /** `[DONE]` came, or the answer ended: the call needs no abort. */
  #complete = false;
  /** Nothing more will be queued: the answer ended or failed. */
  #over = false;
  #failure: { error: unknown } | undefined;
  #finished = false;
  #waiting: { resolve: (result: IteratorResult<Chunk>) => void; reject: (error: unknown) => void } | undefined;

  constructor(answer: IncomingMessage, options: AnswerChunksOptions) {
    this.#answer = answer;
    this.#options = options;
    this.#meter = new EventSizeMeter(options.maxEventBytes);
    answer.on("data", this.#onData);
    answer.once("end", this.#onEnd);
    answer.once("error", this.#onError);
    answer.once("close", this.#onClose);
  }

  next(): Promise<IteratorResult<Chunk>> {
    let ready: IteratorResult<Chunk> | undefined;
    try {
      ready = this.#take();
    } catch (error) {
      return Promise.reject(error);
    }
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** The consumer stopped reading: abort the call unless it completed, and drop the rest. */
  return(): Promise<IteratorResult<Chunk>> {
    this.#queue = [];
    this.#taken = 0;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * The next result if one is settled: a queued chunk or the end; the failure is thrown.
   * Plain values, not promises: a waiting `next()` is answered with them directly.
   */
  #take(): IteratorResult<Chunk> | undefined {
    if (this.#taken < this.#queue.length) {
      const value = this.#queue[this.#taken] as Chunk;
      this.#taken += 1;
      if (this.#taken === this.#queue.length) {
        this.#queue = [];
        this.#taken = 0;
        if (!this.#over && this.#answer.isPaused()) this.#answer.resume();
      }
      return { value, done: false };
    }
    if (this.#finished) return DONE;
    if (!this.#over) return undefined;
    // Read before #finish, whose own abort of an incomplete call is not the caller's.
    const quiet = this.#failure === undefined || this.#options.aborted();
    const failure = this.#failure;
    this.#finish();
    if (quiet || failure === undefined) return DONE;
    throw failure.error;
  }

  /** Answers a waiting `next()` once something settled. */
  #wake(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    let ready: IteratorResult<Chunk> | undefined;
    try {
      ready = this.#take();
    } catch (error) {
      this.#waiting = undefined;
      waiting.reject(error);
      return;
    }
    if (ready === undefined) return;
    this.#waiting = undefined;
    waiting.resolve(ready);
  }

  readonly #onData = (bytes: Buffer): void => {
    if (this.#over) return;
    // Events completed before the byte that broke the limit still go out; nothing after it does.
    const over = this.#meter.firstByteOver(bytes);
    const within = over === -1 ? bytes : bytes.subarray(0, over);
    try {
      for (const message of this.#decoder.push(this.#text.decode(within, { stream: true }))) {
        if (this.#complete) continue;
        if (message.data.startsWith("[DONE]")) {
          this.#complete = true;
          continue;
        }
        const data = JSON.parse(message.data) as Chunk & { error?: unknown };
        if (data?.error) throw new APIError(undefined, data.error as object, undefined, headersOf(this.#answer));
        this.#queue.push(data);
      }
      if (over !== -1) throw new UpstreamReadLimitError("upstream-event-too-large", this.#options.maxEventBytes);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (this.#queue.length - this.#taken >= MOST_QUEUED) this.#answer.pause();
    this.#wake();
  };

  readonly #onEnd = (): void => {
    if (this.#over) return;
    this.#complete = true;
    this.#over = true;
    this.#wake();
  };

  readonly #onError = (error: Error): void => this.#fail(error);

  /** Closed before its end and without an error: the async iterator's premature close. */
  readonly #onClose = (): void => {
    if (!this.#over) this.#fail(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
  };

  #fail(error: unknown): void {
    if (this.#over) return;
    this.#over = true;
    this.#failure = { error };
    this.#wake();
  }

  /** The generator's `finally`: unhook, abort an incomplete call, destroy an answer not read to its end. */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#over = true;
    const answer = this.#answer;
    answer.off("data", this.#onData);
    answer.off("end", this.#onEnd);
    answer.off("close", this.#onClose);
    // An error after this point must not go unhandled.
    answer.off("error", this.#onError);
    answer.on("error", ignore);
    this.#options.stopListening();
    if (!this.#complete) this.#options.abort();
    if (!answer.complete) answer.destroy();
  }
}

function ignore(): void {}

export function headersOf(answer: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = answer.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2)
    headers.append(raw[index] as string, raw[index + 1] as string);
  return headers;
}
