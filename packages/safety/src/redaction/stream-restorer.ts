import type { Vault } from "./vault.ts";

/**
 * Restores placeholders in a stream of deltas. A placeholder may arrive split across
 * chunks ("[EMA" + "IL_1]"), so a tail that could still become one of the vault's
 * placeholders is held back, and only that: at most the longest placeholder's length.
 */
export function createStreamRestorer(vault: Vault): { push(delta: string): string; flush(): string } {
  let held = "";
  return {
    push(delta) {
      if (vault.size === 0) return delta;
      const text = held + delta;
      const open = text.lastIndexOf("[");
      let cut = text.length;
      if (open !== -1 && !text.includes("]", open) && vault.couldStartPlaceholder(text.slice(open))) cut = open;
      held = text.slice(cut);
      return vault.restore(text.slice(0, cut)).text;
    },
    flush() {
      const rest = held;
      held = "";
      return vault.restore(rest).text;
    },
  };
}
