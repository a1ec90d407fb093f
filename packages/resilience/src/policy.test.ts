import { describe, expect, it } from "vitest";
import { Lease, wrap, type Policy } from "./policy.ts";
import { testContext } from "./test-support/scripted-model.ts";

/** A policy that records when it is entered and left, and tags the request id it hands inward. */
function tracing(name: string, trace: string[]): Policy {
  return {
    async execute(fn, context) {
      trace.push(`${name} in`);
      const value = await fn({ ...context, ctx: { ...context.ctx, requestId: `${context.ctx.requestId}/${name}` } });
      trace.push(`${name} out`);
      return value;
    },
  };
}

describe("wrap", () => {
  it("folds policies first-listed outermost, each handing its context to the next", async () => {
    const context = testContext();
    const trace: string[] = [];
    const stack = wrap(tracing("retry", trace), tracing("breaker", trace), tracing("timeout", trace));
    const seen = await stack.execute(async (attempt) => attempt.ctx.requestId, {
      ctx: context.ctx,
      lease: new Lease(),
      mayRetry: undefined,
    });
    context.dispose();
    expect(seen).toBe("request-1/retry/breaker/timeout");
    expect(trace).toEqual(["retry in", "breaker in", "timeout in", "timeout out", "breaker out", "retry out"]);
  });
});

describe("Lease", () => {
  it("releases what it holds once, in the order it was held (innermost first)", () => {
    const lease = new Lease();
    const released: string[] = [];
    lease.hold(() => released.push("timer"));
    lease.hold(() => released.push("slot"));
    lease.release();
    lease.release();
    expect(released).toEqual(["timer", "slot"]);
  });
});
