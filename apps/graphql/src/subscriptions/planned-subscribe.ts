import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute } from "graphql";
import { createEventPlanCache } from "./event-plan-cache.ts";

type SubscribeResult = AsyncGenerator<ExecutionResult, void, void> | ExecutionResult;

/**
 * graphql-js's `subscribe` (execution/subscribe.js), with each event built by the operation's
 * event plan instead of a full `execute` when there is one. The source stream, its errors
 * and the results of events the plan cannot take are graphql-js's own; event-plan.test.ts
 * holds the plan to `execute`'s results over the same selection sets. Plans are kept per
 * document (event-plan-cache.ts).
 */
export function createPlannedSubscribe(): (args: ExecutionArgs) => Promise<SubscribeResult> {
  const planFor = createEventPlanCache();
  return async (args) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const plan = planFor(args);
    const executeEvent = (event: unknown) => execute({ ...args, rootValue: event });
    return mapEvents(source, plan ? (event) => plan(event) ?? executeEvent(event) : executeEvent);
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof Object(value)[Symbol.asyncIterator] === "function";
}

/**
 * graphql-js's mapAsyncIterator (16.15): the source's next/return/throw mapped through `map`;
 * when `map` throws, the source is closed and the error rethrown. One promise per event
 * fewer: a synchronous result is not awaited again.
 */
function mapEvents(
  iterable: AsyncIterable<unknown>,
  map: (event: unknown) => ReturnType<typeof execute>,
): AsyncGenerator<ExecutionResult, void, void> {
  const iterator = iterable[Symbol.asyncIterator]();
  const closeSource = async () => {
    try {
      await iterator.return?.();
    } catch {
      // graphql-js ignores a failing return() here too: the mapping error is the one to report.
    }
  };
  const mapResult = async (result: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult, void>> => {
    if (result.done) return result;
    try {
      const mapped = map(result.value);
      return { value: isPromise(mapped) ? await mapped : mapped, done: false };
    } catch (error) {
      await closeSource();
      throw error;
    }
  };
  const mapped = {
    next: async () => mapResult(await iterator.next()),
    return: async () =>
      typeof iterator.return === "function"
        ? mapResult(await iterator.return())
        : { value: undefined, done: true as const },
    throw: async (error: unknown) => {
      if (typeof iterator.throw === "function") return mapResult(await iterator.throw(error));
      await closeSource();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped as AsyncGenerator<ExecutionResult, void, void>;
}

function isPromise<Value>(value: Value | Promise<Value>): value is Promise<Value> {
  return typeof (value as { then?: unknown }).then === "function";
}
