import {
  KeelError,
  toKeelError,
  type ChatRequest,
  type Generation,
  type Model,
  type RequestContext,
  type StreamEvent,
} from "@keel/spec";
import { runChain, type ChainRun, type ChainWin } from "./chain-runner.ts";
import { cancellationError, fromErrorEvent, truncatedError } from "./failures.ts";
import { resolveRules, type FallbackRules } from "./fallback-rules.ts";
import { createChecker } from "./resolve-policy.ts";
import { ABORTED, closeQuietly, onAbort } from "./signals.ts";
import type { TargetCallOptions, TargetModel } from "./target-model.ts";
import type { ChainTarget } from "./target-order.ts";

export interface FallbackChainOptions {
  /** In order of preference; usually models from `resilience.target(...)`, but any Model works. */
  targets: Array<{ name: string; model: TargetModel }>;
  rules?: FallbackRules;
  /** For `request.idempotent === true` only: start the next target too when the first is slower than afterMs. Default off. */
  hedging?: { afterMs: number } | false;
}

interface StreamHead {
  first: StreamEvent;
  iterator: AsyncIterator<StreamEvent>;
}

/**
 * Ordered fallback targets as one Model. The envelope's `fallback` says which targets
 * failed and why and who answered; `attempts` sums the upstream calls of every target.
 * A stream fails over only before its first event reaches the caller.
 */
export function createFallbackChain(options: FallbackChainOptions): Model {
  const targets = checkTargets(options.targets);
  const rules = resolveRules(
    options.rules,
    targets.map((target) => target.name),
  );
  const hedgeAfterMs = options.hedging
    ? createChecker("hedging")("afterMs", options.hedging.afterMs, { min: 0 })
    : undefined;

  /** One request's run over the chain: this chain's targets, rules and hedging with the request's own call. */
  const chainRun = <T>(run: Pick<ChainRun<T>, "request" | "ctx" | "call" | "discard">): ChainRun<T> => ({
    targets,
    rules,
    hedgeAfterMs,
    ...run,
  });

  const report = (generation: Generation, won: ChainWin<unknown>): Generation => ({
    ...generation,
    attempts: won.otherAttempts + generation.attempts,
    fallback: { failed: won.failed, answeredBy: won.launch.target.name },
  });

  async function generate(request: ChatRequest, ctx: RequestContext): Promise<Generation> {
    const won = await runChain(
      chainRun<Generation>({
        request,
        ctx,
        call: (target, launchCtx, options) => target.model.generate(request, launchCtx, options),
        discard: () => {},
      }),
    );
    won.launch.link?.dispose();
    return report(won.value, won);
  }

  async function* stream(request: ChatRequest, ctx: RequestContext): AsyncGenerator<StreamEvent> {
    const won = await runChain(
      chainRun<StreamHead>({
        request,
        ctx,
        call: (target, launchCtx, options) => openStream(target, request, { ctx: launchCtx, options }),
        discard: (head) => closeQuietly(head.iterator),
      }),
    );
    yield* relayStream(won, ctx, (generation) => report(generation, won));
  }

  return { generate, stream };
}

/** A target's stream up to its first event: until then a failure can still fail over. */
async function openStream(
  target: ChainTarget,
  request: ChatRequest,
  launch: { ctx: RequestContext; options: TargetCallOptions },
): Promise<StreamHead> {
  const iterator = target.model.stream(request, launch.ctx, launch.options)[Symbol.asyncIterator]();
  try {
    const result = await iterator.next();
    if (result.done) throw truncatedError(target.name);
    if (result.value.type === "error") throw fromErrorEvent(result.value.error);
    return { first: result.value, iterator };
  } catch (error) {
    closeQuietly(iterator);
    throw error;
  }
}

/**
 * The winner's stream after its first event: committed, so a failure is rethrown; `done`
 * gets the chain's report. A consumer that stops reading aborts the winner's call.
 */
async function* relayStream(
  won: ChainWin<StreamHead>,
  ctx: RequestContext,
  report: (generation: Generation) => Generation,
): AsyncGenerator<StreamEvent> {
  const { launch } = won;
  const { iterator } = won.value;
  // A resilience target bounds every chunk itself; anything else is raced against the signal.
  const guard = launch.target.model.endsOnAbort ? undefined : onAbort(ctx.signal);
  let event = won.value.first;
  let finished = false;
  try {
    for (;;) {
      if (event.type === "done") {
        finished = true;
        yield { type: "done", generation: report(event.generation) };
        return;
      }
      if (event.type === "error") throw fromErrorEvent(event.error);
      yield event;
      const result = guard ? await Promise.race([iterator.next(), guard.promise]) : await iterator.next();
      if (result === ABORTED) throw cancellationError(ctx, launch.target.name);
      if (result.done) throw truncatedError(launch.target.name);
      event = result.value;
    }
  } catch (error) {
    throw toKeelError(error);
  } finally {
    if (!finished) launch.link?.abort(new DOMException("the stream consumer stopped reading", "AbortError"));
    closeQuietly(iterator);
    launch.link?.dispose();
    guard?.dispose();
  }
}

function checkTargets(targets: unknown): ChainTarget[] {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new KeelError("BAD_REQUEST", "targets must be a non-empty list", { details: { field: "targets" } });
  }
  const seen = new Set<string>();
  targets.forEach((target: Partial<ChainTarget> | null, index) => {
    const field = `targets.${index}`;
    if (typeof target?.name !== "string" || target.name.length === 0)
      throw new KeelError("BAD_REQUEST", `${field}.name must be a non-empty string`, {
        details: { field: `${field}.name` },
      });
    if (typeof target.model?.generate !== "function" || typeof target.model.stream !== "function") {
      throw new KeelError("BAD_REQUEST", `${field}.model must be a Model`, { details: { field: `${field}.model` } });
    }
    if (seen.has(target.name))
      throw new KeelError("BAD_REQUEST", `${field}.name "${target.name}" appears twice`, {
        details: { field: `${field}.name` },
      });
    seen.add(target.name);
  });
  return targets as ChainTarget[];
}
