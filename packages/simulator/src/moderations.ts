import { fail, type Parsed } from "./chat-request.ts";
import type { Exchange } from "./exchange.ts";
import { applyEarlyFault, sendJsonAnswer } from "./faults.ts";
import type { RuleBook } from "./rule-book.ts";
import { nextId } from "./wire-format.ts";

export const DEFAULT_MODERATION_MODEL = "omni-moderation-latest";

const CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/intent",
  "self-harm/instructions",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;
type Category = (typeof CATEGORIES)[number];

/** The small word list behind `flagged`: a word found in the input flags its category. */
const FLAGGED_WORDS: Record<string, Category> = {
  idiot: "harassment",
  moron: "harassment",
  stupid: "harassment",
  worthless: "harassment",
  loser: "harassment",
  threaten: "harassment/threatening",
  subhuman: "hate",
  vermin: "hate",
  meth: "illicit",
  counterfeit: "illicit",
  bomb: "illicit/violent",
  suicide: "self-harm",
  "self-harm": "self-harm",
  porn: "sexual",
  nsfw: "sexual",
  kill: "violence",
  murder: "violence",
  stab: "violence",
  shoot: "violence",
  gore: "violence/graphic",
};
const WORD_PATTERN = /[a-z0-9-]+/g;
const FLAGGED_SCORE = 0.92;
const CLEAN_SCORE = 0.00012;

/** POST /v1/moderations, once the model is known to exist. */
export function handleModerations(
  exchange: Exchange,
  request: { body: Record<string, unknown>; model: string; ruleBook: RuleBook },
): void {
  const parsed = parseInputs(request.body.input);
  if (!parsed.ok) {
    exchange.sendError(400, parsed.problem);
    return;
  }
  const rule = request.ruleBook.decide(request.model, parsed.value.join("\n"));
  const latency = request.ruleBook.latencyFor(request.model, rule);
  if (applyEarlyFault(exchange, rule?.fault, latency.ttftMs)) return;
  const results = parsed.value.map((text) => JSON.stringify(moderate(text)));
  const body = `{"id":"${nextId("modr")}","model":${JSON.stringify(request.model)},"results":[${results.join(",")}]}`;
  sendJsonAnswer(exchange, { body, delayMs: latency.ttftMs, fault: rule?.fault });
}

function parseInputs(input: unknown): Parsed<string[]> {
  if (input === undefined) return fail("Missing required parameter: 'input'.", "input", "missing_required_parameter");
  if (typeof input === "string") return { ok: true, value: [input] };
  if (Array.isArray(input) && input.length > 0) {
    // Either several strings, or one multi-modal input whose text parts are read.
    if (input.every((item) => typeof item === "string")) return { ok: true, value: input as string[] };
    const text = input
      .map((part) => (part as { text?: unknown } | null)?.text ?? "")
      .filter((value) => typeof value === "string");
    return { ok: true, value: [text.join("\n")] };
  }
  return fail(
    "Invalid 'input': expected a string, an array of strings, or an array of parts.",
    "input",
    "invalid_type",
  );
}

export function moderate(text: string): Record<string, unknown> {
  const found = new Set<Category>();
  for (const word of text.toLowerCase().match(WORD_PATTERN) ?? []) {
    const category = Object.hasOwn(FLAGGED_WORDS, word) ? FLAGGED_WORDS[word] : undefined;
    if (category !== undefined) found.add(category);
  }
  const categories: Record<string, boolean> = {};
  const scores: Record<string, number> = {};
  const appliedTypes: Record<string, string[]> = {};
  for (const category of CATEGORIES) {
    categories[category] = found.has(category);
    scores[category] = found.has(category) ? FLAGGED_SCORE : CLEAN_SCORE;
    appliedTypes[category] = ["text"];
  }
  return { flagged: found.size > 0, categories, category_scores: scores, category_applied_input_types: appliedTypes };
}
