/**
 * Default answer to "does this model honour `response_format: json_schema`?": OpenAI's
 * gpt-4o (from the 2024-08-06 snapshot), gpt-4.1, gpt-5 and o-series models. A
 * "provider/model" name is judged by its model part. Others get prompt instructions.
 */
export function defaultSupportsJsonSchema(model: string): boolean {
  const name = model.slice(model.lastIndexOf("/") + 1).toLowerCase();
  // The first gpt-4o snapshot predates structured outputs.
  if (name.startsWith("gpt-4o-2024-05-13")) return false;
  return /^(?:gpt-4o|gpt-4\.1|gpt-5|o\d)(?:$|[-.])/.test(name);
}
