import {
  KeelError,
  onceAborted,
  type EmbeddingModel,
  type EmbeddingRequest,
  type EmbeddingResult,
  type EventSink,
  type KeelEvent,
  type RequestContext,
} from "@keel/spec";

export interface EmbeddingMicroBatchOptions {
  /** How long the first request of a group waits for others to join; 0 turns combining off. */
  windowMs: number;
  /** Most inputs in one upstream call (OpenAI takes 2,048); a group that fills up goes at once. Default 2,048. */
  maxInputs?: number;
}

interface Member {
  request: EmbeddingRequest;
  ctx: RequestContext;
  resolve(result: EmbeddingResult): void;
  reject(error: unknown): void;
  /** Left (aborted) or answered: nothing more is delivered to it. */
  done: boolean;
  unhook(): void;
}

interface Group {
  members: Member[];
  inputs: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Combines concurrent embedding requests into one upstream call: the first request of a
 * group waits `windowMs` for others (or until `maxInputs` inputs have gathered), then one
 * call embeds every input and each request gets its own vectors back, in its own order.
 *
 * - **Usage** is split by each request's share of the input characters (whole tokens, the
 *   remainder to the largest shares, so the parts add up to the upstream's total); each
 *   request's `upstream-response` event carries its share.
 * - **Signals**: a request that is aborted while it waits leaves its group (its inputs are
 *   not sent); the shared call is aborted only when every request in it has gone.
 * - **Failures**: the shared call's error reaches every request in it, except a refusal of
 *   the input (BAD_REQUEST, e.g. one text over the model's context): then each request is
 *   sent alone, so one bad input fails only its own request.
 * - A lone request, or one with `maxInputs` inputs or more, is sent as it is.
 */
export function microBatchEmbeddings(model: EmbeddingModel, options: EmbeddingMicroBatchOptions): EmbeddingModel {
  const windowMs = options.windowMs;
  const maxInputs = options.maxInputs ?? 2_048;
  if (!(windowMs > 0)) return model;
  const groups = new Map<string, Group>();

  const flush = (key: string, group: Group) => {
    if (groups.get(key) === group) groups.delete(key);
    if (group.timer) clearTimeout(group.timer);
    const members = group.members.filter((member) => !member.done);
    if (members.length === 0) return;
    if (members.length === 1) {
      const [only] = members as [Member];
      deliver(only, () => model.embed(only.request, only.ctx));
      return;
    }
    void sendCombined(model, members);
  };

  return {
    embed(request, ctx) {
      if (request.input.length >= maxInputs) return model.embed(request, ctx);
      if (ctx.signal.aborted) return Promise.reject(abortReason(ctx.signal));
      // Same model only: a group is one upstream call.
      const key = request.model;
      let group = groups.get(key);
      if (group !== undefined && group.inputs + request.input.length > maxInputs) {
        flush(key, group);
        group = undefined;
      }
      if (group === undefined) {
        const created: Group = { members: [], inputs: 0, timer: undefined };
        created.timer = setTimeout(() => flush(key, created), windowMs);
        groups.set(key, created);
        group = created;
      }
      const joined = group;
      return new Promise<EmbeddingResult>((resolve, reject) => {
        const member: Member = { request, ctx, resolve, reject, done: false, unhook: () => {} };
        member.unhook = onceAborted(ctx.signal, () => {
          if (member.done) return;
          member.done = true;
          reject(abortReason(ctx.signal));
        });
        joined.members.push(member);
        joined.inputs += request.input.length;
        if (joined.inputs >= maxInputs) flush(key, joined);
      });
    },
  };
}

function deliver(member: Member, call: () => Promise<EmbeddingResult>): void {
  call().then(
    (result) => settle(member, () => member.resolve(result)),
    (error: unknown) => settle(member, () => member.reject(error)),
  );
}

function settle(member: Member, action: () => void): void {
  member.unhook();
  if (member.done) return;
  member.done = true;
  action();
}

async function sendCombined(model: EmbeddingModel, members: Member[]): Promise<void> {
  const first = members[0] as Member;
  const input = members.flatMap((member) => member.request.input);
  const shares = usageShares(members);
  const controller = new AbortController();
  // The shared call ends early only when nobody is left to want it.
  const leave = () => {
    if (members.every((member) => member.done || member.ctx.signal.aborted))
      controller.abort(abortReason(first.ctx.signal));
  };
  const unhooks = members.map((member) => onceAborted(member.ctx.signal, leave));
  const ctx: RequestContext = {
    ...first.ctx,
    deadline: Math.max(...members.map((member) => member.ctx.deadline)),
    signal: controller.signal,
    events: fanOut(members, shares),
  };
  try {
    const result = await model.embed({ model: first.request.model, input }, ctx);
    const promptParts = splitTokens(result.usage.promptTokens, shares);
    const totalParts = splitTokens(result.usage.totalTokens, shares);
    let offset = 0;
    members.forEach((member, index) => {
      const count = member.request.input.length;
      const vectors = result.vectors.slice(offset, offset + count);
      offset += count;
      const usage = { promptTokens: promptParts[index] ?? 0, totalTokens: totalParts[index] ?? 0 };
      settle(member, () => member.resolve({ ...result, vectors, usage, cached: false }));
    });
  } catch (error) {
    if (KeelError.isInstance(error) && error.code === "BAD_REQUEST") {
      // One input the upstream refuses must not fail its neighbours: each request on its own.
      for (const member of members) if (!member.done) deliver(member, () => model.embed(member.request, member.ctx));
      return;
    }
    for (const member of members) settle(member, () => member.reject(error));
  } finally {
    for (const unhook of unhooks) unhook();
  }
}

/** Each request's share of the input characters (a cheap, tokenizer-free proxy for its tokens). */
function usageShares(members: Member[]): number[] {
  const lengths = members.map((member) => member.request.input.reduce((sum, text) => sum + text.length, 0) + 1);
  const total = lengths.reduce((sum, length) => sum + length, 0);
  return lengths.map((length) => length / total);
}

/** Whole tokens per share, the remainder to the largest fractions: the parts add up to `total`. */
export function splitTokens(total: number, shares: readonly number[]): number[] {
  const exact = shares.map((share) => share * total);
  const parts = exact.map(Math.floor);
  let remainder = total - parts.reduce((sum, part) => sum + part, 0);
  const order = exact.map((value, index) => ({ index, fraction: value - Math.floor(value) }));
  order.sort((left, right) => right.fraction - left.fraction);
  for (const { index } of order) {
    if (remainder <= 0) break;
    parts[index] = (parts[index] as number) + 1;
    remainder -= 1;
  }
  return parts;
}

/**
 * The shared call's events reach every request in it: each sees the upstream call it took
 * part in, its `upstream-response` carrying its share of the usage.
 */
function fanOut(members: Member[], shares: number[]): EventSink {
  return {
    emit(event: KeelEvent) {
      const split =
        event.type === "upstream-response"
          ? {
              prompt: splitTokens(event.usage.promptTokens, shares),
              total: splitTokens(event.usage.totalTokens, shares),
            }
          : undefined;
      members.forEach((member, index) => {
        if (member.done) return;
        if (event.type === "upstream-response" && split) {
          const promptTokens = split.prompt[index] ?? 0;
          member.ctx.events.emit({
            ...event,
            usage: { promptTokens, completionTokens: 0, totalTokens: split.total[index] ?? 0 },
          });
        } else member.ctx.events.emit(event);
      });
    },
  };
}

function abortReason(signal: AbortSignal): KeelError {
  const reason: unknown = signal.reason;
  if (KeelError.isInstance(reason)) return reason;
  return new KeelError("UPSTREAM_TIMEOUT", "the request was aborted", {
    retryable: false,
    details: { reason: "aborted" },
  });
}
