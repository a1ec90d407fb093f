import { chooseAnswer, countPromptTokens } from "./chat-answer.ts";
import { parseChatCall } from "./chat-request.ts";
import { streamAnswer } from "./chat-stream.ts";
import type { Exchange } from "./exchange.ts";
import { applyEarlyFault, sendJsonAnswer } from "./faults.ts";
import { streamMalformed } from "./malformed-answers.ts";
import type { RuleBook } from "./rule-book.ts";
import { truncateToTokens } from "./tokens.ts";
import { completionBody, type FinishReason, nextId } from "./wire-format.ts";

/** POST /v1/chat/completions, once the model is known to exist. */
export function handleChatCompletion(
  exchange: Exchange,
  request: { body: Record<string, unknown>; model: string; ruleBook: RuleBook },
): void {
  const parsed = parseChatCall(request.body, request.model);
  if (!parsed.ok) {
    exchange.sendError(400, parsed.problem);
    return;
  }
  const call = parsed.value;
  const rule = request.ruleBook.decide(call.model, call.lastUserText);
  const latency = request.ruleBook.latencyFor(call.model, rule);
  if (applyEarlyFault(exchange, rule?.fault, latency.ttftMs)) return;

  const fullAnswer = chooseAnswer(call, rule);
  const answer = call.maxTokens === undefined ? fullAnswer : truncateToTokens(fullAnswer, call.maxTokens);
  const finishReason: FinishReason = answer === fullAnswer ? "stop" : "length";
  const promptTokens = countPromptTokens(call);
  const id = nextId("chatcmpl");
  const created = Math.floor(Date.now() / 1000);

  const malformed = rule?.fault?.type === "malformed" ? rule.fault : undefined;
  const plan = {
    id,
    created,
    model: call.model,
    includeUsage: call.includeUsage,
    pieces: answer.pieces,
    finishReason,
  };
  if (call.stream && malformed !== undefined) {
    exchange.after(latency.ttftMs, () => streamMalformed(exchange, malformed, plan));
    return;
  }
  if (call.stream) {
    streamAnswer(exchange, {
      id,
      created,
      model: call.model,
      includeUsage: call.includeUsage,
      answer,
      finishReason,
      promptTokens,
      latency,
      fault: rule?.fault,
    });
    return;
  }
  const body = completionBody({
    id,
    created,
    model: call.model,
    content: answer.text,
    finishReason,
    promptTokens,
    completionTokens: answer.tokens,
  });
  sendJsonAnswer(exchange, {
    body,
    delayMs: latency.ttftMs + latency.perTokenMs * answer.tokens,
    fault: rule?.fault,
  });
}
