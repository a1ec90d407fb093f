import type { ChatRequest, Generation, Middleware, RequestContext, StreamEvent } from "@keel/spec";
import type { ResolvedSafetyPolicy } from "../policy/resolve-policy.ts";
import { toSafetyFinding } from "./acted-finding.ts";
import { createOutputGuard, type OutputGuard } from "./output-guard.ts";
import { contentBlocked, safeReplyGeneration } from "./refusal.ts";
import { safetyStateOf, withReviewRequest } from "./request-state.ts";
import { type ClaimSources, outputSafety, type SettledAnswer, settleAnswer } from "./settle-answer.ts";

export interface OutputSafetyOptions extends Partial<ClaimSources> {
  /** The route's resolved policy (`createPolicyResolver`). */
  policyFor(route: string): ResolvedSafetyPolicy;
}

/**
 * The output stage: toxicity, leaked personal data and credentials, brand rules and the
 * claim check on the answer. Core places it inside the caches, so nothing it blocks,
 * holds or has yet to redact is ever stored. Streams are checked as they flow (see
 * createOutputGuard); a violation mid-stream redacts in place or ends the stream with
 * CONTENT_BLOCKED, never with `done`, and nothing unchecked is released.
 * A review hold needs the input stage outside it (which creates the review item); alone,
 * this stage blocks instead.
 */
export function outputSafetyMiddleware(options: OutputSafetyOptions): Middleware {
  const sources: ClaimSources = {
    knowledgeBases: options.knowledgeBases ?? {},
    ...(options.embed === undefined ? {} : { embed: options.embed }),
  };
  return {
    name: "output-safety",
    async wrapGenerate({ request, ctx, next }) {
      const policy = options.policyFor(request.model);
      if (!policy.outputActive) return next(request, ctx);
      const generation = await next(request, ctx);
      const guard = createOutputGuard({ policy, vault: safetyStateOf(ctx)?.vault, holdAll: true });
      guard.push(generation.content);
      guard.end();
      const settled = await settleAnswer({ guard, request, ctx, policy, sources });
      return answerOf({ generation, settled, request, ctx, policy, released: "" });
    },
    async *wrapStream({ request, ctx, next }) {
      const policy = options.policyFor(request.model);
      if (!policy.outputActive) return yield* next(request, ctx);
      const claims = policy.output.claims;
      // Claims that can block or hold are checked before any text goes out.
      const holdAll = claims.action === "block" || (claims.action === "review" && claims.review === "hold");
      const guard = createOutputGuard({ policy, vault: safetyStateOf(ctx)?.vault, holdAll });
      let released = "";
      for await (const event of next(request, ctx)) {
        if (event.type === "delta") {
          const text = guard.push(event.content);
          if (guard.stop?.action === "block") return yield* blockedStream({ guard, request, ctx, policy, released });
          if (text !== "") {
            released += text;
            yield { type: "delta", content: text };
          }
          continue;
        }
        if (event.type !== "done") {
          yield event;
          continue;
        }
        const rest = guard.end();
        if (guard.stop?.action === "block") return yield* blockedStream({ guard, request, ctx, policy, released });
        const settled = await settleAnswer({ guard, request, ctx, policy, sources });
        const generation = answerOf({ generation: event.generation, settled, request, ctx, policy, released });
        if (settled.stop === undefined) {
          const tail = rest + settled.appended;
          if (tail !== "") yield { type: "delta", content: tail };
        } else if (settled.stop.action === "block" && released === "" && policy.safeReply !== undefined) {
          yield { type: "delta", content: generation.content };
        }
        yield { type: "done", generation };
        return;
      }
    },
  };
}

/** The answer after the checks: redacted, blocked (error or safe reply), held for review, or as it was. */
function answerOf(options: {
  generation: Generation;
  settled: SettledAnswer;
  request: ChatRequest;
  ctx: RequestContext;
  policy: ResolvedSafetyPolicy;
  /** For streams: the text already sent, which a held answer's envelope still shows. */
  released: string;
}): Generation {
  const { generation, settled, request, ctx, policy, released } = options;
  const safety = outputSafety(generation, settled);
  const stop = settled.stop;
  if (stop?.action === "block") {
    if (policy.safeReply !== undefined && released === "")
      return safeReplyGeneration({ reply: policy.safeReply, request, answered: generation, safety });
    throw contentBlocked("output", toSafetyFinding(stop.finding, { start: stop.finding.start, end: stop.finding.end }));
  }
  const redacted = settled.findings.some((finding) => finding.action === "redact");
  const answer: Generation = {
    ...generation,
    content: settled.content,
    safety,
    ...(redacted && generation.data !== undefined ? { data: redactData(generation.data, policy) } : {}),
  };
  if (stop?.action === "hold") {
    if (safetyStateOf(ctx) === undefined) {
      // Nobody outside can keep the answer for a reviewer: fail closed.
      throw contentBlocked(
        "output",
        toSafetyFinding(stop.finding, { start: stop.finding.start, end: stop.finding.end }),
      );
    }
    const { data: _data, toolCalls: _toolCalls, ...pending } = answer;
    return withReviewRequest(
      { ...pending, content: released, review: { id: "", state: "pending" } },
      { mode: "hold", detector: stop.finding.policy, held: answer },
    );
  }
  if (settled.reviewFlag !== undefined && safetyStateOf(ctx) !== undefined)
    return withReviewRequest(answer, { mode: "flag", detector: settled.reviewFlag.policy });
  return answer;
}

/** A structured answer's parsed value with the same redactions as its text. */
function redactData(value: unknown, policy: ResolvedSafetyPolicy): unknown {
  if (typeof value === "string") {
    const guard = createOutputGuard({ policy, vault: undefined, holdAll: true });
    guard.push(value);
    guard.end();
    return guard.content;
  }
  if (Array.isArray(value)) return value.map((item) => redactData(item, policy));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactData(item, policy)]));
  return value;
}

/**
 * A stream blocked mid-way: CONTENT_BLOCKED (core makes it the final error event), or the
 * route's safe reply when nothing was sent yet. The findings so far are still reported.
 */
async function* blockedStream(options: {
  guard: OutputGuard;
  request: ChatRequest;
  ctx: RequestContext;
  policy: ResolvedSafetyPolicy;
  released: string;
}): AsyncGenerator<StreamEvent, void, undefined> {
  const { guard, request, ctx, policy, released } = options;
  const finding = guard.stop!.finding;
  for (const found of guard.findings()) {
    ctx.events.emit({
      type: "safety-finding",
      stage: "output",
      detector: found.policy,
      scanner: found.detector,
      kind: found.kind,
      action: found.action,
    });
  }
  if (policy.safeReply !== undefined && released === "") {
    const safety = {
      input: [],
      output: guard.findings().map((found) => toSafetyFinding(found, { start: found.start, end: found.end })),
    };
    const generation = safeReplyGeneration({ reply: policy.safeReply, request, safety });
    yield { type: "delta", content: generation.content };
    yield { type: "done", generation };
    return;
  }
  throw contentBlocked("output", toSafetyFinding(finding, { start: finding.start, end: finding.end }));
}
