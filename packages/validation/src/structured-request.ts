import {
  KeelError,
  type ChatMessage,
  type ChatRequest,
  type StructuredOutputSpec,
  type ValidationIssue,
} from "@keel/spec";
import { compileSchema, type CompiledSchema } from "./compiled-schemas.ts";
import type { SchemaLimits } from "./schema-limits.ts";

export interface StructuredSettings {
  defaultMaxAttempts: number;
  maxAttemptsLimit: number;
  supportsJsonSchema: (model: string) => boolean;
  strict: boolean | "auto";
  schemaLimits: SchemaLimits | undefined;
}

/** Everything the attempt loop needs, checked and derived once per request. */
export interface StructuredPlan {
  spec: StructuredOutputSpec;
  compiled: CompiledSchema;
  maxAttempts: number;
  /** The request sent upstream first; re-asks extend its messages. */
  request: ChatRequest;
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LISTED_ISSUES = 20;
// A runaway answer is sent back for correction only up to this many characters.
const MAX_ECHOED_ANSWER = 32_000;

/** Validates the spec (BAD_REQUEST before any upstream call) and builds the first request. */
export function planStructured(request: ChatRequest, settings: StructuredSettings, scope: string): StructuredPlan {
  const spec: StructuredOutputSpec = request.structured ?? { schema: {} };
  const maxAttempts = spec.maxAttempts ?? Math.min(settings.defaultMaxAttempts, settings.maxAttemptsLimit);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > settings.maxAttemptsLimit) {
    throw new KeelError(
      "BAD_REQUEST",
      `structured.maxAttempts must be an integer from 1 to ${settings.maxAttemptsLimit}`,
      {
        details: { field: "structured.maxAttempts", reason: "out-of-range" },
      },
    );
  }
  const name = spec.name ?? "response";
  if (!NAME_PATTERN.test(name)) {
    throw new KeelError("BAD_REQUEST", "structured.name must be 1-64 letters, digits, '_' or '-'", {
      details: { field: "structured.name", reason: "invalid-name" },
    });
  }
  // Compiled per tenant: no tenant gets another's cache entry.
  const compiled = compileSchema(spec.schema, { ...settings.schemaLimits, scope });
  // `structured` is this layer's business; the layers below see an ordinary request.
  const { structured: _handled, ...plain } = request;
  const useResponseFormat = compiled.rootIsObject && settings.supportsJsonSchema(request.model);
  const first: ChatRequest = useResponseFormat
    ? {
        ...plain,
        responseFormat: {
          type: "json_schema",
          jsonSchema: {
            name,
            schema: compiled.responseSchema,
            strict: settings.strict === "auto" ? compiled.strictCompatible : settings.strict,
          },
        },
      }
    : { ...plain, messages: withInstruction(plain.messages, name, compiled.text) };
  return { spec, compiled, maxAttempts, request: first };
}

function withInstruction(messages: ChatMessage[], name: string, schemaText: string): ChatMessage[] {
  const instruction: ChatMessage = {
    role: "system",
    content:
      "Answer with a single JSON value that conforms to the JSON Schema below. " +
      `Output only the JSON: no prose, no code fences.\nJSON Schema "${name}":\n${schemaText}`,
  };
  // After the caller's own leading system messages, so theirs still come first.
  let index = 0;
  while (messages[index]?.role === "system") index++;
  return [...messages.slice(0, index), instruction, ...messages.slice(index)];
}

/**
 * The request for the next attempt: the first request plus the failed answer and a user
 * message listing each error as "path: message". Only the latest failed exchange is
 * kept, so the prompt does not grow with every attempt.
 */
export function reaskRequest(plan: StructuredPlan, previousAnswer: string, issues: ValidationIssue[]): ChatRequest {
  const answer =
    previousAnswer.length > MAX_ECHOED_ANSWER ? previousAnswer.slice(0, MAX_ECHOED_ANSWER) : previousAnswer;
  return {
    ...plan.request,
    messages: [
      ...plan.request.messages,
      { role: "assistant", content: answer },
      { role: "user", content: reaskMessage(issues) },
    ],
  };
}

export function reaskMessage(issues: ValidationIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `- ${issue.path}: ${issue.message}`);
  if (issues.length > MAX_LISTED_ISSUES) listed.push(`- (${issues.length - MAX_LISTED_ISSUES} more errors not shown)`);
  return (
    "Your previous answer does not satisfy the required JSON Schema. Errors:\n" +
    `${listed.join("\n")}\n` +
    "Reply with only the corrected JSON value: no prose, no code fences."
  );
}
