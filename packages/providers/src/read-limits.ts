import { KeelError } from "@keel/spec";

/** Largest non-streamed upstream body read (16 MiB): a chat completion is kilobytes. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Largest single SSE event read (1 MiB): a chunk carries a few tokens. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

export type ReadLimitReason = "upstream-body-too-large" | "upstream-event-too-large";

/**
 * What Keel's fetch fails with when an upstream sends more than it may: the socket is
 * destroyed and the SDK sees this (as the cause of its connection error, or from the
 * stream it iterates). `readLimitError` turns it into the caller's KeelError.
 */
export class UpstreamReadLimitError extends Error {
  readonly reason: ReadLimitReason;
  readonly limitBytes: number;

  constructor(reason: ReadLimitReason, limitBytes: number) {
    super(
      reason === "upstream-body-too-large"
        ? `the upstream's answer is larger than ${limitBytes} bytes`
        : `an upstream stream event is larger than ${limitBytes} bytes`,
    );
    this.name = "UpstreamReadLimitError";
    this.reason = reason;
    this.limitBytes = limitBytes;
  }
}

/**
 * UPSTREAM_UNAVAILABLE for a read limit anywhere in the cause chain, else undefined.
 * Not retryable: the same request would most likely get the same oversized answer.
 */
export function readLimitError(error: unknown, target: string): KeelError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    if (current instanceof UpstreamReadLimitError) {
      return new KeelError("UPSTREAM_UNAVAILABLE", `${target}: ${current.message}`, {
        cause: current,
        retryable: false,
        details: { target, reason: current.reason, limitBytes: current.limitBytes },
      });
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Counts the bytes of the SSE event being received, across chunks. An event ends at a
 * blank line; lines end at CRLF, LF or CR (the SSE grammar), so CRLF counts once.
 */
export class EventSizeMeter {
  private eventBytes = 0;
  private lineBytes = 0;
  private afterCR = false;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** False once an event has grown past the limit. */
  accept(chunk: Uint8Array): boolean {
    return this.firstByteOver(chunk) === -1;
  }

  /** The index of the chunk's byte that took an event past the limit, or -1 while within it. */
  firstByteOver(chunk: Uint8Array): number {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index];
      if (byte === LF && this.afterCR) {
        this.afterCR = false;
        continue;
      }
      this.afterCR = byte === CR;
      if (byte === LF || byte === CR) {
        if (this.lineBytes === 0) this.eventBytes = 0;
        this.lineBytes = 0;
        continue;
      }
      this.lineBytes += 1;
      this.eventBytes += 1;
      if (this.eventBytes > this.limit) return index;
    }
    return -1;
  }
}
