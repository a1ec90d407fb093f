import type { z } from "zod";
import { didYouMean } from "../fields/closest-name.ts";
import { knownFieldsAt } from "../fields/known-fields.ts";

export interface ConfigIssue {
  /** Dotted path of the bad field, e.g. "defaults.policy.retry.maxAttempts"; "(root)" for the whole file. */
  path: string;
  /** What was expected and what was found: `expected a number, received "three"`. */
  message: string;
}

/**
 * Turns zod's issues into one line per bad field, in words a person editing a YAML file
 * reads at a glance: the full path, the expected type, the value received, and for an
 * unknown key the known field it was probably meant to be. Needs the issues' `input`
 * (parse with `reportInput: true`).
 */
export function configIssuesOf(error: z.ZodError, schema: z.core.$ZodType): ConfigIssue[] {
  return error.issues.flatMap((issue) => describe(issue, { schema, prefix: [] }));
}

interface Place {
  schema: z.core.$ZodType;
  /** The path of the union an issue was found inside (union branches report relative paths). */
  prefix: readonly PropertyKey[];
}

type Issue = z.core.$ZodIssue & { input?: unknown };

function describe(issue: Issue, place: Place): ConfigIssue[] {
  const path = [...place.prefix, ...issue.path];
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownFieldsAt(place.schema, path) ?? [];
      return issue.keys.map((key) => ({
        path: join([...path, key]),
        message: unknownField(key, known),
      }));
    }
    case "invalid_union":
      return describeUnion(issue, { schema: place.schema, prefix: path });
    case "invalid_key":
      return [
        {
          path: join(path),
          message: `${issue.issues[0]?.message ?? "invalid name"}: ${received(issue.input)} is not allowed as a name here`,
        },
      ];
    default:
      return [{ path: join(path), message: messageOf(issue) }];
  }
}

function unknownField(key: string, known: readonly string[]): string {
  const hint = didYouMean(key, known);
  if (hint) return `unknown field; ${hint}`;
  return known.length > 0 ? `unknown field; expected one of: ${known.join(", ")}` : "unknown field";
}

/**
 * A union such as `retry: false | { maxAttempts, ... }`. When the value has the shape of
 * one branch (its errors lie inside the value), report that branch's errors, which name
 * the inner field; when it matches no branch at all, say which shapes were expected.
 */
function describeUnion(issue: z.core.$ZodIssueInvalidUnion & { input?: unknown }, place: Place): ConfigIssue[] {
  const inner = issue.errors.find((branch) => branch.length > 0 && branch.every((item) => item.path.length > 0));
  if (inner) return inner.flatMap((item) => describe(item as Issue, place));
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    for (const item of branch) {
      if (item.path.length > 0) continue;
      if (item.code === "invalid_type") expected.add(article(item.expected));
      else if (item.code === "invalid_value") for (const value of item.values) expected.add(JSON.stringify(value));
    }
  }
  if (expected.size === 0) {
    const first = issue.errors.find((branch) => branch.length > 0);
    if (first) return first.flatMap((item) => describe(item as Issue, place));
    return [{ path: join(place.prefix), message: `${issue.message}, received ${received(issue.input)}` }];
  }
  return [
    { path: join(place.prefix), message: `expected ${[...expected].join(" or ")}, received ${received(issue.input)}` },
  ];
}

function messageOf(issue: Issue): string {
  const got = `received ${received(issue.input)}`;
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `required: expected ${article(issue.expected)}`
        : `expected ${article(issue.expected)}, ${got}`;
    case "too_small":
      return `expected ${bound(issue.origin, issue.inclusive ? ">=" : ">", issue.minimum)}, ${got}`;
    case "too_big":
      return `expected ${bound(issue.origin, issue.inclusive ? "<=" : "<", issue.maximum)}, ${got}`;
    case "invalid_value": {
      const options = issue.values.map((value) => JSON.stringify(value));
      const hint =
        typeof issue.input === "string"
          ? didYouMean(
              issue.input,
              issue.values.filter((value): value is string => typeof value === "string"),
            )
          : undefined;
      const expected = options.length === 1 ? options[0] : `one of ${options.join(", ")}`;
      return `expected ${expected}, ${got}${hint ? `; ${hint}` : ""}`;
    }
    case "invalid_format":
      return issue.format === "url" ? `expected a URL, ${got}` : `${issue.message}, ${got}`;
    default:
      return `${issue.message}, ${got}`;
  }
}

const ARTICLES: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "a mapping (an object)",
  array: "a list",
  record: "a mapping (an object)",
};

function article(type: string): string {
  return ARTICLES[type] ?? type;
}

function bound(origin: string, operator: string, limit: number | bigint): string {
  if (origin === "array" || origin === "set") return `a list of ${operator} ${limit} items`;
  if (origin === "string") return `a string of ${operator} ${limit} characters`;
  return `a number ${operator} ${limit}`;
}

/** The value found, short: strings quoted, objects and lists named rather than dumped. */
export function received(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping (an object)";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

function join(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map(String).join(".");
}
