import { randomUUID } from "node:crypto";
import { type ChatRequest, type Generation, KeelError, type SafetyFinding, type SafetyStage } from "@keel/spec";

/**
 * CONTENT_BLOCKED naming the stage, detector and kind, and where (message or document),
 * never the matched text.
 */
export function contentBlocked(stage: SafetyStage, finding: SafetyFinding): KeelError {
  const where =
    finding.messageIndex !== undefined
      ? ` in messages.${finding.messageIndex}`
      : finding.documentIndex !== undefined
        ? ` in documents.${finding.documentIndex}`
        : "";
  const subject = stage === "input" ? "the request" : "the answer";
  return new KeelError(
    "CONTENT_BLOCKED",
    `${subject} was blocked by the ${stage} safety policy (${finding.detector}: ${finding.kind}${where})`,
    {
      retryable: false,
      details: {
        reason: "content-policy",
        stage,
        detector: finding.detector,
        scanner: finding.scanner,
        kind: finding.kind,
        ...(finding.messageIndex === undefined ? {} : { messageIndex: finding.messageIndex }),
        ...(finding.documentIndex === undefined ? {} : { documentIndex: finding.documentIndex }),
        ...(finding.documentId === undefined ? {} : { documentId: finding.documentId }),
      },
    },
  );
}

/** A held answer cannot be stored for review: safety fails closed. */
export function reviewUnavailable(): KeelError {
  return new KeelError("CONTENT_BLOCKED", "the answer needs human review and the review queue is unavailable", {
    retryable: false,
    details: { reason: "review-unavailable" },
  });
}

/**
 * The route's safe reply in place of a blocked answer: finishReason "content_filter" (so
 * no cache stores it) and the findings that caused it. For an input block nothing went
 * upstream: no usage, no cost.
 */
export function safeReplyGeneration(options: {
  reply: string;
  request: ChatRequest;
  answered?: Generation;
  safety: Generation["safety"];
}): Generation {
  const { reply, request, answered, safety } = options;
  if (answered !== undefined) {
    const { data: _data, toolCalls: _toolCalls, ...rest } = answered;
    return { ...rest, content: reply, finishReason: "content_filter", safety };
  }
  return {
    id: `keel-safe-${randomUUID()}`,
    content: reply,
    model: request.model,
    provider: "keel",
    cache: "miss",
    fallback: { failed: [], answeredBy: null },
    attempts: 0,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    costUsd: 0,
    latencyMs: 0,
    finishReason: "content_filter",
    safety,
  };
}
