import type { StreamEvent } from "@keel/spec";

/** One SSE frame as tRPC writes it: an optional `event:` line and one `data:` line. */
export interface SseFrame {
  event?: string;
  /** The data line parsed as JSON, or the raw text when it is not JSON (`return`, `ping`). */
  data: unknown;
}

export interface SseAnswer {
  status: number;
  /** Every response header but `date` (which differs per second). */
  headers: Record<string, string>;
  frames: SseFrame[];
  /** The raw body of an answer that is not SSE (a refusal before the stream); empty for SSE. */
  text: string;
}

/** The URL of a GET subscription to ai.stream, as httpSubscriptionLink builds it. */
export function streamUrl(base: string, input: unknown, connectionParams?: Record<string, string>): string {
  const params =
    connectionParams === undefined ? "" : `connectionParams=${encodeURIComponent(JSON.stringify(connectionParams))}&`;
  return `${base}/ai.stream?${params}input=${encodeURIComponent(JSON.stringify(input))}`;
}

/** A raw GET over real HTTP (fetch), read to its end, as EventSource asks for it unless `headers` say otherwise. */
export async function readSse(url: string, headers: Record<string, string> = {}): Promise<SseAnswer> {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
  const text = await response.text();
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== "date") responseHeaders[name] = value;
  });
  const frames = parseFrames(text);
  return { status: response.status, headers: responseHeaders, frames, text: frames.length > 0 ? "" : text };
}

export function parseFrames(text: string): SseFrame[] {
  if (!text.startsWith("event:") && !text.startsWith("data:")) return [];
  return text
    .split("\n\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      const frameEvent: SseFrame = { data: undefined };
      for (const line of frame.split("\n")) {
        if (line.startsWith("event: ")) frameEvent.event = line.slice("event: ".length);
        else if (line.startsWith("data: ")) frameEvent.data = parseData(line.slice("data: ".length));
      }
      return frameEvent;
    });
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The stream events of an answer (its plain data frames). */
export function streamEvents(answer: SseAnswer): StreamEvent[] {
  return answer.frames.filter((frame) => frame.event === undefined).map((frame) => frame.data as StreamEvent);
}

/**
 * Fields that differ between two calls replaced (ids, timings, the simulator's token
 * counts and cost, a limiter's retry time), so two answers compare whole.
 */
export function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, field) =>
    ["id", "latencyMs", "requestId", "usage", "costUsd", "retryAfterMs", "x-request-id"].includes(key)
      ? "<varies>"
      : field,
  );
}
