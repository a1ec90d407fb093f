import { KeelError, type ChatRequest, type Generation } from "@keel/spec";
import { APIError, toFile } from "openai";
import type OpenAI from "openai";
import { toGeneration, type WireUsage } from "./envelope.ts";
import type { ProviderState } from "./upstream-call.ts";
import { upstreamError } from "./upstream-error.ts";
import { toWireRequest } from "./wire-request.ts";

/** One request of a batch: its id within the batch, and the chat request (its model the upstream's). */
export interface BatchRequestLine {
  customId: string;
  request: ChatRequest;
}

export interface SubmittedBatch {
  /** The upstream's batch id. */
  id: string;
  /** "provider/model" of the batch's first line: the target its failures name. */
  target: string;
}

/** How one line of a finished batch ended. */
export type BatchLineOutcome = { ok: true; generation: Generation } | { ok: false; error: KeelError };

/** The batch as last read: still running, or ended with every line's outcome. */
export type BatchPoll =
  | { state: "running"; upstreamStatus: string }
  | {
      state: "ended";
      upstreamStatus: "completed" | "failed" | "expired" | "cancelled";
      /** By custom id; a line the upstream did not answer has an error outcome too. */
      lines: Map<string, BatchLineOutcome>;
    };

export interface BatchCallOptions {
  signal?: AbortSignal;
}

const ENDPOINT = "/v1/chat/completions";
const ENDED = new Set(["completed", "failed", "expired", "cancelled"]);

/**
 * Submits chat requests through the provider's Batch API (OpenAI's /v1/files and /v1/batches):
 * one JSONL file of `{ custom_id, method, url, body }` lines, then one batch over it with a 24 h
 * completion window. A failure to upload or create is the upstream's, as a KeelError.
 */
export async function submitBatch(
  state: ProviderState,
  input: { lines: BatchRequestLine[]; metadata?: Record<string, string> },
  options: BatchCallOptions = {},
): Promise<SubmittedBatch> {
  const first = input.lines[0];
  if (first === undefined) {
    throw new KeelError("BAD_REQUEST", "a batch needs at least one request", { details: { field: "lines" } });
  }
  const target = `${state.name}/${first.request.model}`;
  const text = input.lines
    .map((line) =>
      JSON.stringify({ custom_id: line.customId, method: "POST", url: ENDPOINT, body: toWireRequest(line.request) }),
    )
    .join("\n");
  const requestOptions = options.signal ? { signal: options.signal } : {};
  try {
    const file = await state.client.files.create(
      { file: await toFile(Buffer.from(`${text}\n`), "keel-batch.jsonl"), purpose: "batch" },
      requestOptions,
    );
    const batch = await state.client.batches.create(
      {
        input_file_id: file.id,
        endpoint: ENDPOINT,
        completion_window: "24h",
        ...(input.metadata ? { metadata: input.metadata } : {}),
      },
      requestOptions,
    );
    return { id: batch.id, target };
  } catch (error) {
    throw upstreamError(error, target);
  }
}

/**
 * Reads a batch; once it ended, reads its output and error files and turns every line into an
 * envelope priced at the batch tier, or a typed error. `lines` are the requests it was
 * submitted with (for the envelopes' usage estimates and for lines the upstream never answered).
 */
export async function pollBatch(
  state: ProviderState,
  batch: { id: string; target: string; lines: BatchRequestLine[] },
  options: BatchCallOptions = {},
): Promise<BatchPoll> {
  const requestOptions = options.signal ? { signal: options.signal } : {};
  let upstream: OpenAI.Batches.Batch;
  const read = async (fileId: string | null | undefined) =>
    fileId ? (await state.client.files.content(fileId, requestOptions)).text() : "";
  let outputText: string;
  let errorText: string;
  try {
    upstream = await state.client.batches.retrieve(batch.id, requestOptions);
    if (!ENDED.has(upstream.status)) return { state: "running", upstreamStatus: upstream.status };
    [outputText, errorText] = await Promise.all([read(upstream.output_file_id), read(upstream.error_file_id)]);
  } catch (error) {
    throw upstreamError(error, batch.target);
  }
  const status = upstream.status as "completed" | "failed" | "expired" | "cancelled";
  const requests = new Map(batch.lines.map((line) => [line.customId, line.request]));
  const lines = new Map<string, BatchLineOutcome>();
  for (const row of [...jsonLines(outputText), ...jsonLines(errorText)]) {
    const request = typeof row.custom_id === "string" ? requests.get(row.custom_id) : undefined;
    if (request === undefined || lines.has(row.custom_id as string)) continue;
    lines.set(row.custom_id as string, lineOutcome(state, { row, request, target: `${state.name}/${request.model}` }));
  }
  // Lines the upstream left out: the whole batch failed, expired or was cancelled before them.
  const missing = batchEndError(batch.target, upstream);
  for (const line of batch.lines)
    if (!lines.has(line.customId)) lines.set(line.customId, { ok: false, error: missing });
  return { state: "ended", upstreamStatus: status, lines };
}

/** Asks the upstream to stop a batch whose answers nobody waits for any more. */
export async function cancelBatch(state: ProviderState, batch: { id: string; target: string }): Promise<void> {
  try {
    await state.client.batches.cancel(batch.id);
  } catch (error) {
    throw upstreamError(error, batch.target);
  }
}

interface ResultRow {
  custom_id?: unknown;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

function jsonLines(text: string): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const row: unknown = JSON.parse(line);
      if (typeof row === "object" && row !== null) rows.push(row as ResultRow);
    } catch {
      // A line that does not parse answers nothing; its request is reported as missing.
    }
  }
  return rows;
}

function lineOutcome(
  state: ProviderState,
  input: { row: ResultRow; request: ChatRequest; target: string },
): BatchLineOutcome {
  const { row, request, target } = input;
  const status = row.response?.status_code;
  const body = row.response?.body as OpenAI.Chat.Completions.ChatCompletion | undefined;
  const choice = status === 200 && typeof body === "object" && body !== null ? body.choices?.[0] : undefined;
  if (choice !== undefined && body !== undefined) {
    const generation = toGeneration({ name: state.name, prices: state.prices, tier: "batch" }, request, {
      id: body.id,
      content: choice.message?.content ?? "",
      model: body.model,
      finishReason: choice.finish_reason,
      usage: body.usage as WireUsage | undefined,
      toolCalls: undefined,
      latencyMs: 0,
    });
    return { ok: true, generation };
  }
  if (typeof status === "number" && status !== 200) {
    // The line's own HTTP answer: mapped exactly as a live call's would be.
    const errorBody = (row.response?.body as { error?: Record<string, unknown> } | undefined)?.error;
    return { ok: false, error: upstreamError(APIError.generate(status, errorBody, undefined, new Headers()), target) };
  }
  if (row.error?.code === "batch_expired") return { ok: false, error: expiredError(target) };
  return {
    ok: false,
    error: new KeelError("UPSTREAM_UNAVAILABLE", `${target}: the provider's batch did not answer this request`, {
      retryable: true,
      details: { target, reason: "batch-line-failed", ...safeCode(row.error?.code) },
    }),
  };
}

function batchEndError(target: string, batch: OpenAI.Batches.Batch): KeelError {
  if (batch.status === "expired") return expiredError(target);
  const reason = batch.status === "cancelled" ? "batch-cancelled" : "batch-failed";
  return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: the provider's batch ${batch.status} before answering`, {
    retryable: true,
    details: { target, reason, ...safeCode(batch.errors?.data?.[0]?.code) },
  });
}

function expiredError(target: string): KeelError {
  return new KeelError("UPSTREAM_TIMEOUT", `${target}: the provider's batch expired before answering`, {
    retryable: true,
    details: { target, reason: "batch-expired" },
  });
}

/** The upstream's code when it looks like one; free text (which may echo account details) is dropped. */
function safeCode(code: string | null | undefined): { upstreamCode?: string } {
  return typeof code === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? { upstreamCode: code } : {};
}
