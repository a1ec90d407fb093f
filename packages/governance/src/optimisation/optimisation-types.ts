import type { ChatMessage } from "@keel/spec";

/** Prompt tokens of a message list as the route's provider counts them (core passes providers' countChatTokens). */
export type CountTokens = (messages: ChatMessage[]) => number;

/** A route's opt-in transforms; each is off unless set. */
export interface PromptOptimisationOptions {
  /** Collapse runs of spaces and tabs, trailing spaces and runs of blank lines; indentation and code fences are kept. */
  compactWhitespace?: boolean;
  /** A line repeated `minRepeats` (default 3) or more times in a row becomes the line once and a note. Outside code fences. */
  collapseRepeatedLines?: boolean | { minRepeats?: number };
  /** Drop a message that exactly repeats the one before it, and later copies of a system message. */
  dropDuplicateMessages?: boolean;
  /** Drop the oldest turns, whole, until the prompt fits; system messages and the most recent turns stay. */
  trimHistory?: { maxTokens: number; keepRecentTurns?: number };
  /** Refuse (BAD_REQUEST) a prompt still above this many tokens after the transforms. */
  maxPromptTokens?: number;
}

export type TransformName =
  | "drop-duplicate-messages"
  | "compact-whitespace"
  | "collapse-repeated-lines"
  | "trim-history";

export interface TransformReport {
  transform: TransformName;
  /** Messages rewritten or dropped. */
  messagesChanged: number;
  tokensSaved: number;
}

/** A message a transform removed, so the envelope can say what the model did not see. */
export interface DroppedMessage {
  /** Position in the messages as the caller sent them. */
  index: number;
  role: ChatMessage["role"];
  reason: "duplicate" | "history";
  tokens: number;
}

export interface PromptOptimisation {
  messages: ChatMessage[];
  promptTokensBefore: number;
  promptTokensAfter: number;
  /** promptTokensBefore − promptTokensAfter: what the envelope reports as usage.promptTokensSaved. */
  promptTokensSaved: number;
  /** Only the transforms that ran, in the order they ran. */
  transforms: TransformReport[];
  dropped: DroppedMessage[];
}

/** A message with its position in the caller's list, carried through the transforms. */
export interface IndexedMessage {
  index: number;
  message: ChatMessage;
}
