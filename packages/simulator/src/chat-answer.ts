import type { ChatCall } from "./chat-request.ts";
import { presetContent } from "./content-presets.ts";
import { defaultAnswer, HASH_SEED, hashText } from "./default-answer.ts";
import { exampleForSchema } from "./schema-example.ts";
import { countTextTokens, tokenizeText, type TokenizedText } from "./tokens.ts";
import type { SimulatorRule } from "./types.ts";

/**
 * The answer to a chat call: the rule's reply, else its content preset, else the
 * schema's example object for a json_schema request, else the prompt's default answer.
 */
export function chooseAnswer(call: ChatCall, rule: SimulatorRule | undefined): TokenizedText {
  if (rule?.reply !== undefined) return tokenizeText(rule.reply);
  const formatType = call.responseFormat?.type;
  const example = formatType === "json_schema" ? schemaExample(call.responseFormat) : undefined;
  if (rule?.content !== undefined) return tokenizeText(presetContent(rule.content, example));
  if (example !== undefined) return tokenizeText(JSON.stringify(example));
  const answer = defaultAnswer(promptHash(call));
  return formatType === "json_object" ? tokenizeText(JSON.stringify({ answer: answer.text })) : answer;
}

function schemaExample(responseFormat: Record<string, unknown> | undefined): unknown {
  const jsonSchema = responseFormat?.json_schema as { schema?: unknown } | undefined;
  return exampleForSchema(jsonSchema?.schema ?? {});
}

/** Model, roles and contents all feed the hash: the same conversation gets the same answer. */
function promptHash(call: ChatCall): number {
  let hash = hashText(HASH_SEED, call.model);
  for (let index = 0; index < call.texts.length; index++) {
    hash = hashText(hash, call.roles[index]!);
    hash = hashText(hash, call.texts[index]!);
  }
  return hash;
}

/** Prompt tokens: the tokens of every message's content, summed. */
export function countPromptTokens(call: ChatCall): number {
  let total = 0;
  for (const text of call.texts) total += countTextTokens(text);
  return total;
}
