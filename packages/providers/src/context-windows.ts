import { KeelError } from "@keel/spec";
import { createModelTable, type ModelTable } from "./model-table.ts";

/** Context windows (prompt plus completion tokens) by model name, next to the price table. */
export type ContextWindowTable = ModelTable<number>;

/**
 * OpenAI's published context windows for the models the price table lists (embedding
 * models: their input limit). Extend or override them through
 * `createContextWindowTable(overrides)`, e.g. for self-hosted models.
 */
const BUILT_IN_CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  "gpt-5": 400_000,
  "gpt-5-mini": 400_000,
  "gpt-5-nano": 400_000,
  "gpt-4.1": 1_047_576,
  "gpt-4.1-mini": 1_047_576,
  "gpt-4.1-nano": 1_047_576,
  "gpt-4o": 128_000,
  "gpt-4o-mini": 128_000,
  "chatgpt-4o-latest": 128_000,
  o1: 200_000,
  "o1-mini": 128_000,
  "o1-pro": 200_000,
  o3: 200_000,
  "o3-mini": 200_000,
  "o3-pro": 200_000,
  "o4-mini": 200_000,
  "gpt-4-turbo": 128_000,
  "gpt-4": 8_192,
  "gpt-3.5-turbo": 16_385,
  "text-embedding-3-small": 8_191,
  "text-embedding-3-large": 8_191,
  "text-embedding-ada-002": 8_191,
};

/** The built-in table, with `overrides` added or replacing entries of the same name. */
export function createContextWindowTable(overrides: Record<string, number> = {}): ContextWindowTable {
  const windows = new Map<string, number>(Object.entries(BUILT_IN_CONTEXT_WINDOWS));
  for (const [model, tokens] of Object.entries(overrides)) {
    if (!Number.isSafeInteger(tokens) || tokens <= 0) {
      throw new KeelError("BAD_REQUEST", `the context window of "${model}" must be a positive whole number of tokens`, {
        details: { field: `contextWindows.${model}` },
      });
    }
    windows.set(model, tokens);
  }
  return createModelTable(windows);
}
