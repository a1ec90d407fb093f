import { KeelError } from "@keel/spec";

/** Keel's field names -> the names an OpenAI caller wrote. */
const OPENAI_NAMES: Readonly<Record<string, string>> = {
  maxTokens: "max_tokens",
  topP: "top_p",
  toolChoice: "tool_choice",
  toolCalls: "tool_calls",
  toolCallId: "tool_call_id",
  responseFormat: "response_format",
  jsonSchema: "json_schema",
};
const KEEL_NAME = new RegExp(`\\b(${Object.keys(OPENAI_NAMES).join("|")})\\b`, "g");

function rename(text: string): string {
  return text.replace(KEEL_NAME, (name) => OPENAI_NAMES[name] ?? name);
}

/**
 * Core's BAD_REQUEST about a Keel ChatRequest, reworded for the OpenAI body the caller
 * sent: `maxTokens` becomes `max_tokens` in the message, the field and every issue.
 * Other errors are returned as they are.
 */
export function toOpenaiFieldNames(error: KeelError): KeelError {
  if (error.code !== "BAD_REQUEST") return error;
  const details = { ...error.details };
  if (typeof details.field === "string") details.field = rename(details.field);
  if (Array.isArray(details.issues)) {
    details.issues = details.issues.map((issue: unknown) =>
      typeof issue === "object" && issue !== null
        ? Object.fromEntries(
            Object.entries(issue).map(([key, value]) => [key, typeof value === "string" ? rename(value) : value]),
          )
        : issue,
    );
  }
  return new KeelError("BAD_REQUEST", rename(error.message), { retryable: false, details, cause: error });
}

/** BAD_REQUEST for the first OpenAI parameter in `names` the body sets (null counts as unset). */
export function refuseUnsupported(body: unknown, names: readonly string[]): void {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;
  const fields = body as Record<string, unknown>;
  const name = names.find((candidate) => fields[candidate] !== undefined && fields[candidate] !== null);
  if (name === undefined) return;
  throw new KeelError("BAD_REQUEST", `${name}: not supported by Keel's OpenAI-compatible endpoint`, {
    details: { field: name, reason: "unsupported-parameter" },
  });
}
