import { type ChatMessage, KeelError } from "@keel/spec";
import { collapseRepeatedLines, compactWhitespace } from "./text-compaction.ts";
import { dropDuplicateMessages, isProse, trimHistory } from "./message-transforms.ts";
import type {
  CountTokens,
  DroppedMessage,
  IndexedMessage,
  PromptOptimisation,
  PromptOptimisationOptions,
  TransformName,
  TransformReport,
} from "./optimisation-types.ts";

/**
 * Applies a route's opt-in transforms in a fixed order (duplicates, whitespace, repeated
 * lines, history), then the maxPromptTokens guard. Pure: the caller's messages are not
 * changed. Every transform that ran is reported with what it saved; every dropped message
 * is listed by its original position.
 */
export function optimisePrompt(
  messages: ChatMessage[],
  options: PromptOptimisationOptions,
  countTokens: CountTokens,
): PromptOptimisation {
  let current: IndexedMessage[] = messages.map((message, index) => ({ index, message }));
  const plain = () => current.map((entry) => entry.message);
  const before = countTokens(messages);
  let tokens = before;
  const transforms: TransformReport[] = [];
  const dropped: DroppedMessage[] = [];
  const record = (transform: TransformName, messagesChanged: number) => {
    const after = countTokens(plain());
    transforms.push({ transform, messagesChanged, tokensSaved: tokens - after });
    tokens = after;
  };
  const rewrite = (transform: TransformName, change: (text: string) => string) => {
    let changed = 0;
    current = current.map((entry) => {
      if (!isProse(entry.message)) return entry;
      const content = change(entry.message.content);
      if (content === entry.message.content) return entry;
      changed++;
      return { index: entry.index, message: { ...entry.message, content } };
    });
    record(transform, changed);
  };

  if (options.dropDuplicateMessages) {
    const empty = countTokens([]);
    const result = dropDuplicateMessages(current);
    current = result.kept;
    for (const entry of result.dropped) {
      dropped.push({
        index: entry.index,
        role: entry.message.role,
        reason: "duplicate",
        tokens: countTokens([entry.message]) - empty,
      });
    }
    record("drop-duplicate-messages", result.dropped.length);
  }
  if (options.compactWhitespace) rewrite("compact-whitespace", compactWhitespace);
  if (options.collapseRepeatedLines) {
    const minRepeats =
      typeof options.collapseRepeatedLines === "object" ? (options.collapseRepeatedLines.minRepeats ?? 3) : 3;
    if (!Number.isSafeInteger(minRepeats) || minRepeats < 2) {
      throw new KeelError("BAD_REQUEST", "collapseRepeatedLines.minRepeats must be an integer of at least 2", {
        details: { field: "collapseRepeatedLines.minRepeats" },
      });
    }
    rewrite("collapse-repeated-lines", (text) => collapseRepeatedLines(text, minRepeats));
  }
  if (options.trimHistory) {
    checkCount(options.trimHistory.maxTokens, "trimHistory.maxTokens");
    if (options.trimHistory.keepRecentTurns !== undefined)
      checkCount(options.trimHistory.keepRecentTurns, "trimHistory.keepRecentTurns");
    const result = trimHistory(current, options.trimHistory, countTokens);
    current = result.kept;
    dropped.push(...result.dropped);
    record("trim-history", result.dropped.length);
  }
  if (options.maxPromptTokens !== undefined) {
    checkCount(options.maxPromptTokens, "maxPromptTokens");
    if (tokens > options.maxPromptTokens) {
      throw new KeelError(
        "BAD_REQUEST",
        `the prompt has ${tokens} tokens, more than this route accepts (${options.maxPromptTokens})`,
        {
          details: {
            field: "messages",
            reason: "prompt-too-long",
            promptTokens: tokens,
            maxPromptTokens: options.maxPromptTokens,
          },
        },
      );
    }
  }
  dropped.sort((left, right) => left.index - right.index);
  return {
    messages: plain(),
    promptTokensBefore: before,
    promptTokensAfter: tokens,
    promptTokensSaved: before - tokens,
    transforms,
    dropped,
  };
}

function checkCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new KeelError("BAD_REQUEST", `${field} must be a non-negative integer`, { details: { field } });
  }
}
