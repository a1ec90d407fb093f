import type { ChatMessage } from "@keel/spec";
import type { CountTokens, DroppedMessage, IndexedMessage } from "./optimisation-types.ts";

/** Messages whose text the content transforms leave alone: tool results are data, not prose. */
export function isProse(message: ChatMessage): boolean {
  return message.role !== "tool";
}

function sameMessage(left: ChatMessage, right: ChatMessage): boolean {
  return (
    left.role === right.role &&
    left.content === right.content &&
    left.name === right.name &&
    left.toolCallId === right.toolCallId &&
    left.toolCalls === undefined &&
    right.toolCalls === undefined
  );
}

/**
 * Drops exact duplicates that carry no meaning twice: a message identical to the one just
 * before it (a client that sent it again; the later copy stays, so the last message never
 * goes), and a system message identical to an earlier one. Repeats further apart ("yes"
 * to two questions) stay: they answer different turns. Tool messages never go.
 */
export function dropDuplicateMessages(messages: IndexedMessage[]): {
  kept: IndexedMessage[];
  dropped: IndexedMessage[];
} {
  const kept: IndexedMessage[] = [];
  const dropped: IndexedMessage[] = [];
  for (const entry of messages) {
    const previous = kept.at(-1);
    const consecutive =
      previous !== undefined && entry.message.role !== "tool" && sameMessage(previous.message, entry.message);
    if (consecutive) {
      dropped.push(kept.pop() as IndexedMessage);
      kept.push(entry);
      continue;
    }
    const repeatedSystem =
      entry.message.role === "system" &&
      kept.some((earlier) => earlier.message.role === "system" && sameMessage(earlier.message, entry.message));
    if (repeatedSystem) dropped.push(entry);
    else kept.push(entry);
  }
  return { kept, dropped };
}

/**
 * Drops the oldest turns until the prompt fits `maxTokens`. A turn is a user message and
 * what follows it up to the next user message (assistant answers, tool calls and their
 * results go together). System messages and the last `keepRecentTurns` turns always stay;
 * nothing is ever cut inside a message. When even that is too long, the prompt is left
 * over budget (the maxPromptTokens guard decides).
 */
export function trimHistory(
  messages: IndexedMessage[],
  budget: { maxTokens: number; keepRecentTurns?: number },
  countTokens: CountTokens,
): { kept: IndexedMessage[]; dropped: DroppedMessage[] } {
  const total = countTokens(messages.map((entry) => entry.message));
  if (total <= budget.maxTokens) return { kept: messages, dropped: [] };
  const turns: IndexedMessage[][] = [];
  for (const entry of messages) {
    if (entry.message.role === "system") continue;
    if (entry.message.role === "user" || turns.length === 0) turns.push([]);
    turns.at(-1)?.push(entry);
  }
  const droppable = turns.slice(0, Math.max(0, turns.length - (budget.keepRecentTurns ?? 1)));
  const empty = countTokens([]);
  const removed = new Set<number>();
  const dropped: DroppedMessage[] = [];
  let remaining = total;
  for (const turn of droppable) {
    if (remaining <= budget.maxTokens) break;
    for (const entry of turn) {
      const tokens = countTokens([entry.message]) - empty;
      removed.add(entry.index);
      remaining -= tokens;
      dropped.push({ index: entry.index, role: entry.message.role, reason: "history", tokens });
    }
  }
  return { kept: messages.filter((entry) => !removed.has(entry.index)), dropped };
}
