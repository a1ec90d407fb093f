import { chooseAnswer, countPromptTokens } from "./chat-answer.ts";
import { parseChatCall, type RequestProblem } from "./chat-request.ts";
import type { RuleBook } from "./rule-book.ts";
import { statusFaultError } from "./faults.ts";
import { truncateToTokens } from "./tokens.ts";
import { completionBody, errorBody, errorTypeFor, type FinishReason, nextId } from "./wire-format.ts";

/** A chat completion computed without a connection: what a batch line gets. */
export interface ChatResult {
  statusCode: number;
  /** The JSON body the same request would have had over HTTP. */
  body: string;
}

/**
 * The answer to one chat completion body, decided by the same rule book as live calls.
 * A `status` fault becomes that error; faults about the connection (hang, reset, stream
 * faults, trickle, malformed) have no connection to act on, so the line is answered.
 */
export function computeChatResult(
  body: Record<string, unknown>,
  context: { ruleBook: RuleBook; knownModels: ReadonlySet<string>; notFound: (model: string) => RequestProblem },
): ChatResult {
  const model = body.model;
  if (typeof model !== "string")
    return failure(400, { message: "You must provide a model parameter.", param: "model" });
  if (!context.knownModels.has(model)) return failure(404, context.notFound(model));
  const parsed = parseChatCall(body, model);
  if (!parsed.ok) return failure(400, parsed.problem);
  const call = parsed.value;
  const rule = context.ruleBook.decide(call.model, call.lastUserText);
  if (rule?.fault?.type === "status") {
    const error = statusFaultError(rule.fault);
    return failure(rule.fault.status, error);
  }
  const fullAnswer = chooseAnswer(call, rule);
  const answer = call.maxTokens === undefined ? fullAnswer : truncateToTokens(fullAnswer, call.maxTokens);
  const finishReason: FinishReason = answer === fullAnswer ? "stop" : "length";
  return {
    statusCode: 200,
    body: completionBody({
      id: nextId("chatcmpl"),
      created: Math.floor(Date.now() / 1000),
      model: call.model,
      content: answer.text,
      finishReason,
      promptTokens: countPromptTokens(call),
      completionTokens: answer.tokens,
    }),
  };
}

function failure(status: number, problem: RequestProblem): ChatResult {
  return { statusCode: status, body: errorBody({ ...problem, type: errorTypeFor(status) }) };
}
