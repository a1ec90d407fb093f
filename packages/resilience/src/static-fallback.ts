import { randomUUID } from "node:crypto";
import {
  KeelError,
  toKeelError,
  type ChatRequest,
  type FallbackFailure,
  type Generation,
  type KeelErrorCode,
  type Middleware,
} from "@keel/spec";

export interface StaticFallbackOptions {
  /** Route (request.model) -> the answer to give when every target failed. */
  answers: Record<string, string>;
}

// The request itself, a policy or the caller's budget failed: a canned answer would hide that.
const NEVER_DEGRADE: ReadonlySet<KeelErrorCode> = new Set([
  "BAD_REQUEST",
  "CONTENT_BLOCKED",
  "VALIDATION_FAILED",
  "BUDGET_EXCEEDED",
]);
const UPSTREAM_CODES: ReadonlySet<KeelErrorCode> = new Set([
  "UPSTREAM_TIMEOUT",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_UNAVAILABLE",
  "CIRCUIT_OPEN",
]);

/**
 * The last line of degradation: when the call fails with an upstream error and the
 * route has a configured answer, answer with it, marked `fallback.degraded: "static"`.
 * Core places it just outside the caches, so a stale cached answer wins first.
 */
export function staticFallbackMiddleware(options: StaticFallbackOptions): Middleware {
  const answers = checkAnswers(options.answers);

  const answerFor = (request: ChatRequest, error: KeelError): string | undefined => {
    if (NEVER_DEGRADE.has(error.code) || !(error.retryable || UPSTREAM_CODES.has(error.code))) return undefined;
    // The caller is gone: nobody to answer.
    if (error.details.reason === "aborted") return undefined;
    return answers.get(request.model);
  };

  return {
    name: "static-fallback",
    async wrapGenerate({ request, ctx, next }) {
      const startedAt = Date.now();
      try {
        return await next(request, ctx);
      } catch (thrown) {
        const error = toKeelError(thrown);
        const content = answerFor(request, error);
        if (content === undefined) throw error;
        ctx.events.emit({ type: "degraded", mode: "static" });
        return staticGeneration({ request, content, error, latencyMs: Date.now() - startedAt });
      }
    },
    async *wrapStream({ request, ctx, next }) {
      const startedAt = Date.now();
      let delivered = false;
      try {
        for await (const event of next(request, ctx)) {
          delivered = true;
          yield event;
        }
      } catch (thrown) {
        const error = toKeelError(thrown);
        // Once the caller has text from a model, a canned answer cannot be spliced in.
        const content = delivered ? undefined : answerFor(request, error);
        if (content === undefined) throw error;
        ctx.events.emit({ type: "degraded", mode: "static" });
        yield { type: "delta", content };
        yield {
          type: "done",
          generation: staticGeneration({ request, content, error, latencyMs: Date.now() - startedAt }),
        };
      }
    },
  };
}

/** The canned answer standing in for a failed call, the failure it replaces, and how long the caller waited. */
interface StaticAnswer {
  request: ChatRequest;
  content: string;
  error: KeelError;
  latencyMs: number;
}

function staticGeneration({ request, content, error, latencyMs }: StaticAnswer): Generation {
  const failed: FallbackFailure[] = Array.isArray(error.details.fallback)
    ? error.details.fallback
    : [
        {
          target: typeof error.details.target === "string" ? error.details.target : request.model,
          code: error.code,
          message: error.message,
        },
      ];
  return {
    id: `static-${randomUUID()}`,
    content,
    model: request.model,
    provider: "static",
    cache: "miss",
    fallback: { failed, answeredBy: null, degraded: "static" },
    attempts: typeof error.details.attempts === "number" ? error.details.attempts : 0,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    costUsd: 0,
    latencyMs,
    finishReason: "stop",
    safety: { input: [], output: [] },
  };
}

function checkAnswers(answers: unknown): Map<string, string> {
  if (typeof answers !== "object" || answers === null || Array.isArray(answers)) {
    throw new KeelError("BAD_REQUEST", "answers must map routes to answer texts", { details: { field: "answers" } });
  }
  for (const [route, answer] of Object.entries(answers)) {
    if (typeof answer !== "string")
      throw new KeelError("BAD_REQUEST", `answers.${route} must be a string`, {
        details: { field: `answers.${route}` },
      });
  }
  return new Map(Object.entries(answers as Record<string, string>));
}
