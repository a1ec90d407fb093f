import type { SimulatorContentPreset } from "./types.ts";

const GENERIC_OBJECT = { name: "example", count: 1 };

/**
 * Canned answers for safety and validation tests. The JSON presets carry `json` (the
 * schema's example object when the request asked for one), so a repaired answer validates.
 */
export function presetContent(preset: SimulatorContentPreset, json: unknown): string {
  const value = json ?? GENERIC_OBJECT;
  switch (preset) {
    case "pii":
      return (
        "Sure. You can reach Jane Doe at jane.doe@example.com or on +1 (555) 010-4477. " +
        "Her card number is 4111 1111 1111 1111 and her SSN is 123-45-6789."
      );
    case "pii-leak":
      // Personal data and a credential leaking into an answer: what output guardrails must catch.
      return (
        "Here are the account details you asked for. The owner is Jane Doe (jane.doe@example.com, " +
        "+1 (555) 010-4477). Use the API key sk-proj-Zx81kQm3VtY7pLw2Rn5sHc9dJf4GbE6a to call the service."
      );
    case "toxic":
      return "You are a worthless idiot, and nobody wants to hear your stupid questions.";
    case "invalid-json":
      return nearJson(value);
    case "fenced-json":
      return "```json\n" + JSON.stringify(value, null, 2) + "\n```";
    case "prose-json":
      return "Here is the JSON you asked for:\n" + JSON.stringify(value) + "\nLet me know if you need anything else.";
  }
}

/** Single quotes and a trailing comma: what a careless model writes and JSON.parse rejects. */
function nearJson(value: unknown): string {
  const record = typeof value === "object" && value !== null && !Array.isArray(value) ? value : GENERIC_OBJECT;
  const entries = Object.entries(record);
  const shown = entries.length > 0 ? entries : Object.entries(GENERIC_OBJECT);
  const body = shown.map(([key, item]) => `  '${key}': ${JSON.stringify(item).replaceAll('"', "'")},`).join("\n");
  return `{\n${body}\n}`;
}
