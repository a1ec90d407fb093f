import { KeelError, noopEventSink } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createCallerSignal } from "./caller-signal.ts";
import { openRequestScope, type CallOptions } from "./request-scope.ts";

const open = (call: CallOptions, defaultTimeoutMs = 60_000) =>
  openRequestScope({ operation: "generate", call, defaultTimeoutMs, events: noopEventSink });

const reasonOf = (signal: AbortSignal) => {
  const { code, message, details } = signal.reason as KeelError;
  return { code, message, details };
};

const clientClosed = {
  code: "UPSTREAM_TIMEOUT",
  message: "the caller went away",
  details: { reason: "client-closed" },
};

describe("createCallerSignal", () => {
  it("is taken as the request's own signal, and the caller going away ends the request as a linked signal would", () => {
    const caller = createCallerSignal();
    const scope = open({ signal: caller.signal });
    expect(scope.ctx.signal).toBe(caller.signal);

    caller.callerGone();
    caller.callerGone();
    expect(scope.ctx.signal.aborted).toBe(true);
    expect(reasonOf(scope.ctx.signal)).toEqual(clientClosed);
    expect(scope.abortReason()?.toJSON()).toMatchObject(clientClosed);
    scope.dispose();
  });

  it("is aborted by the request's deadline with the deadline's error", async () => {
    const caller = createCallerSignal();
    const scope = open({ signal: caller.signal, timeoutMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(caller.signal.aborted).toBe(true);
    expect(scope.abortReason()?.toJSON()).toMatchObject({
      code: "UPSTREAM_TIMEOUT",
      details: { reason: "deadline" },
    });
    // The caller leaving afterwards changes nothing.
    caller.callerGone();
    expect(scope.abortReason()?.details).toEqual({ reason: "deadline" });
    scope.dispose();
  });

  it("is taken once: a second call with the same signal links to it, as to any signal", () => {
    const caller = createCallerSignal();
    const first = open({ signal: caller.signal });
    first.dispose();
    const second = open({ signal: caller.signal });
    expect(second.ctx.signal).not.toBe(caller.signal);

    caller.callerGone();
    expect(reasonOf(second.ctx.signal)).toEqual(clientClosed);
    second.dispose();
  });

  it("ends a request at once when the caller went away before it started", () => {
    const caller = createCallerSignal();
    caller.callerGone();
    const scope = open({ signal: caller.signal });
    expect(scope.ctx.signal.aborted).toBe(true);
    expect(scope.abortReason()?.toJSON()).toMatchObject(clientClosed);
    scope.dispose();
  });

  it("leaves any other signal linked, never aborted by the request", () => {
    const controller = new AbortController();
    const scope = open({ signal: controller.signal });
    expect(scope.ctx.signal).not.toBe(controller.signal);
    scope.abort(new KeelError("UPSTREAM_TIMEOUT", "stopped", { retryable: false }));
    expect(controller.signal.aborted).toBe(false);

    const linked = open({ signal: controller.signal });
    controller.abort();
    expect(reasonOf(linked.ctx.signal)).toEqual(clientClosed);
    linked.dispose();
    scope.dispose();
  });
});
