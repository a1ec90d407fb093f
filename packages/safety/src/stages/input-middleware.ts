import type { ChatRequest, EventSink, Generation, Middleware, RequestContext, StreamEvent } from "@keel/spec";
import type { ResolvedSafetyPolicy } from "../policy/resolve-policy.ts";
import { createStreamRestorer } from "../redaction/stream-restorer.ts";
import { createVault, type Vault } from "../redaction/vault.ts";
import type { ReviewQueue } from "../review/review-queue.ts";
import { EditLog } from "../text/text-edits.ts";
import { contentBlocked, reviewUnavailable, safeReplyGeneration } from "./refusal.ts";
import { reviewRequestOf, withoutReviewRequest, withSafetyState } from "./request-state.ts";
import { type RequestScan, scanRequest } from "./scan-request.ts";

export interface InputSafetyOptions {
  /** The route's resolved policy (`createPolicyResolver`). */
  policyFor(route: string): ResolvedSafetyPolicy;
  /** Where held and flagged answers go. Without one, a review hold fails closed (CONTENT_BLOCKED). */
  review?: ReviewQueue;
  /** Told when an audit (flag) item could not be stored; the answer still goes out. */
  onWarning?: (message: string) => void;
}

/** One request after the input scan: what goes down the pipeline, and what comes back up. */
interface Prepared {
  request: ChatRequest;
  ctx: RequestContext;
  scan: RequestScan;
  vault: Vault;
  original: ChatRequest;
  policy: ResolvedSafetyPolicy;
}

/**
 * The input stage: scans every message and document with the route's input policy before
 * anything else sees them (core places it right after telemetry, before the caches, so
 * cache keys are computed on redacted text). Redacted spans become numbered placeholders
 * ([EMAIL_1], the same value the same placeholder) kept in a vault that lives only as
 * long as the request; the answer's placeholders are restored before it reaches the
 * caller, in streams too. A block is CONTENT_BLOCKED naming detector and kind (or the
 * route's safe reply). It also turns review requests (its own and the output stage's)
 * into review items, holding the answer or flagging it.
 */
export function inputSafetyMiddleware(options: InputSafetyOptions): Middleware {
  const prepare = (request: ChatRequest, ctx: RequestContext): Prepared | { refusal: Generation } => {
    const policy = options.policyFor(request.model);
    const vault = createVault();
    const scan: RequestScan = policy.inputActive
      ? scanRequest(request, { policy, vault })
      : { request, findings: [], blocked: undefined, review: undefined };
    for (const finding of scan.findings) {
      ctx.events.emit({
        type: "safety-finding",
        stage: "input",
        detector: finding.detector ?? finding.scanner,
        scanner: finding.scanner,
        kind: finding.kind,
        action: finding.action,
      });
    }
    if (scan.blocked !== undefined) {
      if (policy.safeReply === undefined) throw contentBlocked("input", scan.blocked);
      const safety = { input: scan.findings, output: [] };
      return { refusal: safeReplyGeneration({ reply: policy.safeReply, request, safety }) };
    }
    if (scan.review?.mode === "hold" && options.review === undefined) throw reviewUnavailable();
    // A request held for review neither reads nor writes the cache: its answer is never stored.
    const inner = scan.review?.mode === "hold" ? bypassCache(scan.request) : scan.request;
    return {
      request: inner,
      ctx: withSafetyState(ctx, { vault, original: request }),
      scan,
      vault,
      original: request,
      policy,
    };
  };

  return {
    name: "input-safety",
    async wrapGenerate({ request, ctx, next }) {
      const policy = options.policyFor(request.model);
      if (!policy.inputActive && !policy.outputActive) return next(request, ctx);
      const prepared = prepare(request, ctx);
      if ("refusal" in prepared) return prepared.refusal;
      const generation = await next(prepared.request, prepared.ctx);
      return settleReview({ generation, prepared, tenant: ctx.tenant, events: ctx.events, options });
    },
    async *wrapStream({ request, ctx, next }) {
      const policy = options.policyFor(request.model);
      if (!policy.inputActive && !policy.outputActive) return yield* next(request, ctx);
      const prepared = prepare(request, ctx);
      if ("refusal" in prepared) return yield* refusalStream(prepared.refusal);
      const holdInput = prepared.scan.review?.mode === "hold";
      const restorer = createStreamRestorer(prepared.vault);
      for await (const event of next(prepared.request, prepared.ctx)) {
        if (event.type === "delta") {
          if (holdInput) continue;
          const text = restorer.push(event.content);
          if (text !== "") yield { type: "delta", content: text };
        } else if (event.type === "done") {
          const tail = restorer.flush();
          if (tail !== "" && !holdInput) yield { type: "delta", content: tail };
          const generation = await settleReview({
            generation: event.generation,
            prepared,
            tenant: ctx.tenant,
            events: ctx.events,
            options,
          });
          yield { type: "done", generation };
          return;
        } else yield event;
      }
    },
  };
}

/**
 * The answer with the vault's values back in place of placeholders (content, structured
 * value, tool-call arguments) and the output findings' offsets moved to match, plus the
 * input findings.
 */
function restoreAnswer(generation: Generation, prepared: Prepared): Generation {
  const { vault, scan } = prepared;
  const plain = withoutReviewRequest(generation);
  const safety = { ...plain.safety, input: [...scan.findings, ...plain.safety.input] };
  if (vault.size === 0) return { ...plain, safety };
  const restored = vault.restore(plain.content);
  const offsets = new EditLog();
  offsets.add(restored.edits);
  const move = <T extends { start?: number; end?: number }>(item: T): T =>
    item.start === undefined || item.end === undefined
      ? item
      : { ...item, ...offsets.mapSpan({ start: item.start, end: item.end }) };
  return {
    ...plain,
    content: restored.text,
    safety: {
      ...safety,
      output: safety.output.map(move),
      ...(safety.claims === undefined ? {} : { claims: safety.claims.map(move) }),
    },
    ...(plain.data === undefined ? {} : { data: restoreData(plain.data, vault) }),
    ...(plain.toolCalls === undefined
      ? {}
      : {
          toolCalls: plain.toolCalls.map((call) => ({
            ...call,
            function: { ...call.function, arguments: vault.restoreJson(call.function.arguments) },
          })),
        }),
  };
}

function restoreData(value: unknown, vault: Vault): unknown {
  if (typeof value === "string") return vault.restore(value).text;
  if (Array.isArray(value)) return value.map((item) => restoreData(item, vault));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, restoreData(item, vault)]));
  return value;
}

/**
 * Creates the review item the input scan or the output stage asked for. Hold: the caller
 * gets the Generation with `review: { id, state: "pending" }` and no content (for a
 * stream, only what was already sent). Flag: the answer goes out; the item is for audit.
 */
async function settleReview(args: {
  generation: Generation;
  prepared: Prepared;
  tenant: string;
  events: EventSink;
  options: InputSafetyOptions;
}): Promise<Generation> {
  const { generation, prepared, tenant, events, options } = args;
  const answer = restoreAnswer(generation, prepared);
  const asked = reviewRequestOf(generation);
  const own = prepared.scan.review;
  const hold = own?.mode === "hold" || asked?.mode === "hold";
  if (!hold && own === undefined && asked === undefined) return answer;
  const held = asked?.held === undefined ? answer : restoreAnswer(asked.held, prepared);
  const { review: _review, ...reviewed } = held;
  const detectors = [...new Set([own?.detector, asked?.detector].filter((name): name is string => name !== undefined))];
  const { policy } = prepared;
  const queue = options.review;
  try {
    if (queue === undefined) throw reviewUnavailable();
    const item = await queue.create(
      {
        tenant,
        route: prepared.original.model,
        mode: hold ? "hold" : "flag",
        detectors,
        ttlMs: policy.review.ttlMs,
        onExpiry: policy.review.onExpiry,
        safety: reviewed.safety,
        request: prepared.original,
        generation: reviewed,
      },
      events,
    );
    if (!hold) return answer;
    const { data: _data, toolCalls: _toolCalls, ...pending } = answer;
    // Held by the input scan: nothing was sent. Held by the output stage: what it sent before the hold.
    const content = asked?.mode === "hold" ? answer.content : "";
    return { ...pending, content, review: { id: item.id, state: "pending" } };
  } catch (error) {
    if (hold) throw reviewUnavailable();
    options.onWarning?.(`an audit review item could not be stored: ${(error as Error).message}`);
    return answer;
  }
}

function bypassCache(request: ChatRequest): ChatRequest {
  if (request.cache?.mode === "only-if-cached") return request;
  return { ...request, cache: { ...request.cache, mode: "bypass" } };
}

async function* refusalStream(generation: Generation): AsyncGenerator<StreamEvent, void, undefined> {
  yield { type: "delta", content: generation.content };
  yield { type: "done", generation };
}
