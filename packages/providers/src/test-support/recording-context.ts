import type { KeelEvent, RequestContext } from "@keel/spec";
import { KeelError } from "@keel/spec";

/** Test support (not exported): a hand-built RequestContext whose events are recorded. */
export interface RecordingContext {
  ctx: RequestContext;
  events: KeelEvent[];
  abort(): void;
}

export function recordingContext(operation: RequestContext["operation"] = "generate"): RecordingContext {
  const controller = new AbortController();
  const events: KeelEvent[] = [];
  return {
    ctx: {
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      tenant: "default",
      operation,
      deadline: Date.now() + 30_000,
      signal: controller.signal,
      events: { emit: (event) => events.push(event) },
    },
    events,
    abort: () => controller.abort(),
  };
}

/** The KeelError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function keelErrorOf(promise: Promise<unknown>): Promise<KeelError> {
  try {
    await promise;
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw new Error(`expected a KeelError, got ${String(error)}`);
  }
  throw new Error("expected a rejection, but the call succeeded");
}

/** Polls until `predicate` holds; rejects after `timeoutMs` (generous: the machine may be busy). */
export async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
