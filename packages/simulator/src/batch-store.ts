import type { ChatResult } from "./chat-result.ts";
import type { SimulatorBatchOptions } from "./types.ts";
import { nextId } from "./wire-format.ts";

export interface StoredFile {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: "processed";
  expires_at: number | null;
  status_details: null;
  content: Buffer;
}

type BatchStatus =
  | "validating"
  | "failed"
  | "in_progress"
  | "finalizing"
  | "completed"
  | "expired"
  | "cancelling"
  | "cancelled";

interface BatchError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/** A batch as OpenAI's `Batch` object; every timestamp key present, null until it happens. */
export interface BatchRecord {
  id: string;
  object: "batch";
  endpoint: string;
  errors: { object: "list"; data: BatchError[] } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

interface BatchLine {
  customId: string;
  body: Record<string, unknown>;
}

const DAY_SECONDS = 24 * 60 * 60;
const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Files and batches of the simulated Batch API, in memory. A batch moves validating →
 * in_progress → completed (or failed, expired, cancelled) on timers; its lines are
 * answered by `answer` (the chat rule book) when it completes.
 */
export class BatchStore {
  readonly files = new Map<string, StoredFile>();
  readonly batches = new Map<string, BatchRecord>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly answer: (body: Record<string, unknown>) => ChatResult;
  options: Required<SimulatorBatchOptions>;

  constructor(answer: (body: Record<string, unknown>) => ChatResult, options: SimulatorBatchOptions = {}) {
    this.answer = answer;
    this.options = resolveOptions(options);
  }

  addFile(fields: { filename: string; purpose: string; content: Buffer }): StoredFile {
    const created = now();
    const file: StoredFile = {
      id: nextId("file"),
      object: "file",
      bytes: fields.content.length,
      created_at: created,
      filename: fields.filename,
      purpose: fields.purpose,
      status: "processed",
      // OpenAI keeps batch files for 30 days.
      expires_at: fields.purpose.startsWith("batch") ? created + 30 * DAY_SECONDS : null,
      status_details: null,
      content: fields.content,
    };
    this.files.set(file.id, file);
    return file;
  }

  createBatch(fields: { inputFileId: string; endpoint: string; completionWindow: string; metadata: unknown }) {
    const created = now();
    const batch: BatchRecord = {
      id: nextId("batch"),
      object: "batch",
      endpoint: fields.endpoint,
      errors: null,
      input_file_id: fields.inputFileId,
      completion_window: fields.completionWindow,
      status: "validating",
      output_file_id: null,
      error_file_id: null,
      created_at: created,
      in_progress_at: null,
      expires_at: created + DAY_SECONDS,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: (fields.metadata as Record<string, string> | null | undefined) ?? null,
    };
    this.batches.set(batch.id, batch);
    this.schedule(batch.id, this.options.validatingMs, () => this.validate(batch));
    return batch;
  }

  /** Cancels a validating or in-progress batch: cancelling now, cancelled a moment later. */
  cancel(batch: BatchRecord): boolean {
    if (batch.status !== "validating" && batch.status !== "in_progress") return false;
    batch.status = "cancelling";
    batch.cancelling_at = now();
    this.schedule(batch.id, 0, () => {
      batch.status = "cancelled";
      batch.cancelled_at = now();
    });
    return true;
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(id: string, delayMs: number, action: () => void): void {
    const previous = this.timers.get(id);
    if (previous !== undefined) clearTimeout(previous);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        action();
      }, delayMs),
    );
  }

  private validate(batch: BatchRecord): void {
    const parsed = this.readLines(batch);
    if (this.options.outcome === "failed" || !Array.isArray(parsed)) {
      const errors = Array.isArray(parsed)
        ? [{ code: "batch_failed", message: "The batch failed (simulated).", param: null, line: null }]
        : [parsed];
      batch.status = "failed";
      batch.failed_at = now();
      batch.errors = { object: "list", data: errors };
      return;
    }
    batch.status = "in_progress";
    batch.in_progress_at = now();
    batch.request_counts.total = parsed.length;
    this.schedule(batch.id, this.options.completionMs, () => this.finish(batch, parsed));
  }

  /** The input file's requests, or the first reason the batch cannot run. */
  private readLines(batch: BatchRecord): BatchLine[] | BatchError {
    const file = this.files.get(batch.input_file_id);
    if (file === undefined)
      return lineError("invalid_file", `No such File object: ${batch.input_file_id}`, { line: null });
    const lines: BatchLine[] = [];
    const seen = new Set<string>();
    const texts = file.content.toString("utf8").split("\n");
    for (let index = 0; index < texts.length; index++) {
      const text = texts[index]!.trim();
      if (text === "") continue;
      const line = index + 1;
      let request: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        return lineError("invalid_json_line", "This line is not parseable as valid JSON.", { line });
      }
      if (typeof request.custom_id !== "string") {
        return lineError("missing_required_parameter", "Missing required parameter: 'custom_id'.", {
          line,
          param: "custom_id",
        });
      }
      if (seen.has(request.custom_id)) {
        return lineError("duplicate_custom_id", "The custom_id for this request is a duplicate of another request.", {
          line,
          param: "custom_id",
        });
      }
      if (request.method !== "POST")
        return lineError("invalid_method", "The method must be POST.", { line, param: "method" });
      if (request.url !== batch.endpoint) {
        return lineError("mismatched_endpoint", `The url must match the batch endpoint ${batch.endpoint}.`, {
          line,
          param: "url",
        });
      }
      if (typeof request.body !== "object" || request.body === null || Array.isArray(request.body)) {
        return lineError("invalid_request", "The body must be a JSON object.", { line, param: "body" });
      }
      seen.add(request.custom_id);
      lines.push({ customId: request.custom_id, body: request.body as Record<string, unknown> });
    }
    if (lines.length === 0) return lineError("empty_file", "The input file has no requests.", { line: null });
    return lines;
  }

  private finish(batch: BatchRecord, lines: BatchLine[]): void {
    const outputs: string[] = [];
    const errors: string[] = [];
    if (this.options.outcome === "expired") {
      for (const line of lines) {
        errors.push(
          outputLine(line.customId, null, {
            code: "batch_expired",
            message: "This request could not be executed before the completion window expired.",
          }),
        );
      }
      batch.status = "expired";
      batch.expired_at = now();
    } else {
      for (const line of lines) {
        const result = this.answer(line.body);
        const response = { status_code: result.statusCode, request_id: nextId("req"), body: JSON.parse(result.body) };
        (result.statusCode === 200 ? outputs : errors).push(outputLine(line.customId, response, null));
      }
      batch.status = "completed";
      batch.finalizing_at = now();
      batch.completed_at = now();
    }
    batch.request_counts.completed = outputs.length;
    batch.request_counts.failed = errors.length;
    if (outputs.length > 0) batch.output_file_id = this.addOutputFile(batch, "output", outputs).id;
    if (errors.length > 0) batch.error_file_id = this.addOutputFile(batch, "error", errors).id;
  }

  private addOutputFile(batch: BatchRecord, kind: "output" | "error", lines: string[]): StoredFile {
    const content = Buffer.from(`${lines.join("\n")}\n`);
    return this.addFile({ filename: `${batch.id}_${kind}.jsonl`, purpose: "batch_output", content });
  }
}

function lineError(code: string, message: string, where: { line: number | null; param?: string }): BatchError {
  return { code, message, param: where.param ?? null, line: where.line };
}

function outputLine(customId: string, response: unknown, error: { code: string; message: string } | null): string {
  return JSON.stringify({ id: nextId("batch_req"), custom_id: customId, response, error });
}

function resolveOptions(options: SimulatorBatchOptions): Required<SimulatorBatchOptions> {
  return {
    validatingMs: options.validatingMs ?? 0,
    completionMs: options.completionMs ?? 0,
    outcome: options.outcome ?? "completed",
  };
}
