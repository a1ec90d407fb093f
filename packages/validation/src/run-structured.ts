import {
  KeelError,
  toKeelError,
  type ChatRequest,
  type Generation,
  type RequestContext,
  type Usage,
  type ValidationAttempt,
} from "@keel/spec";
import { evaluateAnswer } from "./evaluate-answer.ts";
import { reaskRequest, type StructuredPlan } from "./structured-request.ts";

export interface RunStructuredOptions {
  plan: StructuredPlan;
  ctx: RequestContext;
  /** One upstream attempt through everything below this middleware. */
  call: (request: ChatRequest) => Promise<Generation>;
  /** An answer already obtained for attempt 1 (the streamed one), so it is not asked again. */
  first?: Generation;
}

const MAX_RAW_IN_ERROR = 2_000;

/**
 * The re-ask loop: validate each answer (extraction and repair first, so a repairable
 * answer costs no extra call), re-ask with the exact errors until valid or out of
 * attempts. Usage, cost and upstream attempts are summed over every call.
 */
export async function runStructured(options: RunStructuredOptions): Promise<Generation> {
  const { plan, ctx, call } = options;
  const startedAt = Date.now();
  const history: ValidationAttempt[] = [];
  const usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  let costUsd = 0;
  let upstreamAttempts = 0;
  let request = plan.request;
  let generation = options.first ?? (await call(request));

  for (let attempt = 1; ; attempt++) {
    addUsage(usage, generation.usage);
    costUsd += generation.costUsd;
    upstreamAttempts += generation.attempts;

    const verdict = evaluateAnswer(plan, generation.content);
    history.push({ attempt, repaired: verdict.repaired, errors: verdict.issues });
    ctx.events.emit({
      type: "validation-attempt",
      attempt,
      valid: verdict.valid,
      repaired: verdict.repaired,
      errorCount: verdict.issues.length,
    });

    if (verdict.valid) {
      return {
        ...generation,
        // Unrepaired answers are already the exact JSON text; repaired ones are re-serialised.
        content: verdict.repaired ? JSON.stringify(verdict.value) : generation.content,
        data: verdict.value,
        validation: { valid: true, attempts: attempt, repaired: verdict.repaired, history },
        usage,
        costUsd,
        attempts: upstreamAttempts,
        latencyMs: Math.max(generation.latencyMs, Date.now() - startedAt),
      };
    }
    if (attempt >= plan.maxAttempts) {
      throw validationFailed({ generation, history, usage, costUsd, upstreamAttempts });
    }
    // A caller that went away (or a spent deadline) must not pay for another attempt.
    if (ctx.signal.aborted) throw toKeelError(ctx.signal.reason);
    request = reaskRequest(plan, generation.content, verdict.issues);
    generation = await call(request);
  }
}

function addUsage(total: Usage, usage: Usage): void {
  total.promptTokens += usage.promptTokens;
  total.completionTokens += usage.completionTokens;
  total.totalTokens += usage.totalTokens;
  if (usage.estimated === true) total.estimated = true;
}

interface FailureFacts {
  generation: Generation;
  history: ValidationAttempt[];
  usage: Usage;
  costUsd: number;
  upstreamAttempts: number;
}

function validationFailed(facts: FailureFacts): KeelError {
  const raw = facts.generation.content;
  const last = facts.history[facts.history.length - 1];
  return new KeelError(
    "VALIDATION_FAILED",
    `the model's answer failed validation after ${facts.history.length} attempts`,
    {
      details: {
        reason: "invalid-output",
        errors: last?.errors ?? [],
        raw: raw.length > MAX_RAW_IN_ERROR ? raw.slice(0, MAX_RAW_IN_ERROR) : raw,
        rawTruncated: raw.length > MAX_RAW_IN_ERROR,
        validation: {
          valid: false,
          attempts: facts.history.length,
          repaired: facts.history.some((entry) => entry.repaired),
          history: facts.history,
        },
        attempts: facts.upstreamAttempts,
        usage: facts.usage,
        costUsd: facts.costUsd,
      },
    },
  );
}
