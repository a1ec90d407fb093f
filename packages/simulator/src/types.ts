/** Delays applied to an answer. Both default to 0 (answer at once). */
export interface SimulatorLatency {
  /** Time to first token: the wait before the first byte of the answer. */
  ttftMs?: number;
  /** Extra wait per completion token (between stream chunks; added up for JSON answers). */
  perTokenMs?: number;
}

/** Canned answer contents for tests of safety scanners and output validation. */
export type SimulatorContentPreset = "pii" | "pii-leak" | "toxic" | "invalid-json" | "fenced-json" | "prose-json";

/** A scripted failure. See README.md for how each one behaves on JSON and streaming calls. */
export type SimulatorFault =
  | {
      type: "status";
      status: number;
      code?: string;
      message?: string;
      retryAfterSeconds?: number;
      /** Send Retry-After as an HTTP-date (now + retryAfterSeconds, default 1 s) instead of seconds. */
      retryAfterDate?: boolean;
      /** Send a `retry-after-ms` header with this value. */
      retryAfterMs?: number;
    }
  /** Accept the request and never answer, until the client goes away. */
  | { type: "hang" }
  /** Destroy the socket without any response. */
  | { type: "reset" }
  /** Streaming: send N content chunks, then go silent forever. */
  | { type: "stream-stall"; afterChunks: number }
  /** Streaming: send N content chunks, then destroy the socket. */
  | { type: "stream-die"; afterChunks: number }
  /** Every stream chunk (or the JSON body, after the headers) arrives only after this delay. */
  | { type: "trickle"; chunkDelayMs: number }
  /** 200 with a broken answer; `form` says how (default "truncated"). See README.md. */
  | { type: "malformed"; form?: SimulatorMalformedForm; bytes?: number };

/** How a `malformed` fault breaks the answer. */
export type SimulatorMalformedForm =
  /** JSON cut off mid-string; a stream's data line cut mid-JSON (the default). */
  | "truncated"
  /** A complete body (or one SSE data line) that is not JSON. */
  | "invalid-json"
  /** 200 with an HTML error page (`text/html`), as a proxy in the way would send. */
  | "wrong-content-type"
  /** 200 with nothing: an empty JSON body, or an SSE stream without a single event. */
  | "empty-body"
  /** Valid JSON of an unexpected shape: a body without `choices`, or one such chunk mid-stream. */
  | "unknown-shape"
  /** A stream whose finish chunk lacks its terminating blank line, and no [DONE]. */
  | "no-blank-line"
  /** A content of `bytes` bytes (default 2 MiB): one huge JSON body, or one huge SSE line. */
  | "oversized";

export type SimulatorFaultType = SimulatorFault["type"];

/**
 * One line of a scenario. Rules are checked in order; the first whose `model` and
 * `promptIncludes` match and that is not used up decides the answer.
 */
export interface SimulatorRule {
  /** Exact model name; omitted = any model. */
  model?: string;
  /** Substring of the last user message (of the input, for embeddings and moderations); omitted = any. */
  promptIncludes?: string;
  /** Skip this rule for its first N matching calls. */
  after?: number;
  /** Then apply it to the next N matching calls, after which it is used up (omitted = forever). */
  times?: number;
  /**
   * 0..1: the rule applies to a matching call with this probability (drawn from the
   * simulator's seeded generator). A call that loses the draw is treated as not matching
   * this rule: it does not count towards `after`/`times` and goes on to later rules.
   * Omitted = always.
   */
  probability?: number;
  /** The answer content; streams split it into token-sized chunks. Wins over `content`. */
  reply?: string;
  /** A canned content preset. */
  content?: SimulatorContentPreset;
  fault?: SimulatorFault;
  latency?: SimulatorLatency;
}

export interface SimulatorLatencyOptions extends SimulatorLatency {
  /** Per-model latency; a field set here wins over the global one. */
  models?: Record<string, SimulatorLatency>;
}

/** How the simulated Batch API (POST /v1/batches) behaves. */
export interface SimulatorBatchOptions {
  /** Time in `validating` before the input file is checked (default 0). */
  validatingMs?: number;
  /** Time in `in_progress` before the batch ends (default 0). */
  completionMs?: number;
  /**
   * How a batch with a valid input file ends: "completed" (default; lines answered by the
   * rules, a status fault makes a line an error), "failed" (the whole batch fails), or
   * "expired" (no line runs; every line is in the error file with code batch_expired).
   */
  outcome?: "completed" | "failed" | "expired";
}

export interface SimulatorOptions {
  /** 0 = a free port (the default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  rules?: SimulatorRule[];
  /** Known model names; defaults to DEFAULT_SIMULATOR_MODELS. Others get 404 `model_not_found`. */
  models?: string[];
  latency?: SimulatorLatencyOptions;
  /**
   * Seed of the generator behind `probability` (default 1). The same seed and the same
   * sequence of calls give the same rule decisions; `setRules` and `reset` restart it.
   */
  seed?: number;
  batch?: SimulatorBatchOptions;
  /**
   * Serve the control API (/_sim: rules, reset, stats). Default: only when bound to a
   * loopback address, so a simulator on 0.0.0.0 cannot be reprogrammed from the network;
   * true turns it on anyway (tests, demos on a private network), false off.
   */
  controlApi?: boolean;
}

export interface SimulatorStats {
  /** Requests received per model, all endpoints (unknown models included). */
  calls: Record<string, number>;
  /** Requests received on /v1, all endpoints. */
  totalCalls: number;
  /** Sockets open right now (control API connections included). */
  openConnections: number;
  /** /v1 requests not yet answered. */
  inFlight: number;
  /** /v1 requests whose client went away before the answer ended. */
  clientAborts: number;
}

export interface SimulatorHandle {
  /** "http://127.0.0.1:PORT/v1": the OpenAI baseURL. */
  readonly url: string;
  /** "http://127.0.0.1:PORT". */
  readonly origin: string;
  readonly port: number;
  /** Replaces the scenario and restarts the rule counters. Throws on an invalid rule. */
  setRules(rules: SimulatorRule[]): void;
  /** No rules; counters and stats back to zero. */
  reset(): void;
  /** Changes how batches created from now on behave. */
  setBatchOptions(options: SimulatorBatchOptions): void;
  stats(): SimulatorStats;
  /** Polls the stats until the predicate holds; rejects after timeoutMs (default 2000). */
  waitFor(predicate: (stats: SimulatorStats) => boolean, timeoutMs?: number): Promise<SimulatorStats>;
  /** Stops listening and closes every socket, hung ones included. */
  close(): Promise<void>;
}
