import { unsupportedPatternReason } from "./linear-regexp.ts";
import { badSchema } from "./schema-limits.ts";

const ONE_SCHEMA = [
  "additionalProperties",
  "additionalItems",
  "items",
  "contains",
  "not",
  "if",
  "then",
  "else",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contentSchema",
];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"];

/**
 * Throws BAD_REQUEST (reason `unsupported-pattern`, `details.path` the JSON Pointer of
 * the pattern in the schema) for the first `pattern` or `patternProperties` key that
 * the linear-time engine cannot run. Only keyword positions are visited, so a
 * `"pattern"` inside `const`, `default` or `examples` data is left alone.
 */
export function checkSchemaPatterns(schema: unknown, path = ""): void {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return;
  const record = schema as Record<string, unknown>;
  if (typeof record.pattern === "string") checkPattern(record.pattern, `${path}/pattern`);
  const patternProperties = record.patternProperties;
  if (isRecord(patternProperties)) {
    for (const key of Object.keys(patternProperties))
      checkPattern(key, `${path}/patternProperties/${pointerSegment(key)}`);
  }
  for (const keyword of ONE_SCHEMA) checkSchemaPatterns(record[keyword], `${path}/${pointerSegment(keyword)}`);
  for (const keyword of SCHEMA_LISTS) {
    const list = record[keyword];
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) checkSchemaPatterns(list[index], `${path}/${keyword}/${index}`);
  }
  for (const keyword of SCHEMA_MAPS) {
    const map = record[keyword];
    if (!isRecord(map)) continue;
    for (const [key, item] of Object.entries(map))
      checkSchemaPatterns(item, `${path}/${pointerSegment(keyword)}/${pointerSegment(key)}`);
  }
}

function checkPattern(pattern: string, path: string): void {
  const reason = unsupportedPatternReason(pattern);
  if (reason === undefined) return;
  throw badSchema(
    `structured.schema at ${path}: the pattern ${JSON.stringify(pattern)} cannot run in linear time (${reason}); ` +
      "lookaround, backreferences and repeat counts over 1000 are not supported",
    "unsupported-pattern",
    { path },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON Pointer escaping of one segment. */
function pointerSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}
