import type { Middleware } from "@keel/spec";
import { runStructured } from "./run-structured.ts";
import type { SchemaLimits } from "./schema-limits.ts";
import { structuredStream } from "./structured-stream.ts";
import { planStructured, type StructuredSettings } from "./structured-request.ts";
import { defaultSupportsJsonSchema } from "./supports-json-schema.ts";

export interface StructuredOutputOptions {
  /** Upstream attempts when the request does not say (first included). Default 3. */
  defaultMaxAttempts?: number;
  /** Highest `structured.maxAttempts` a request may ask for. Default 5. */
  maxAttemptsLimit?: number;
  /** Whether a model honours `response_format: json_schema`; otherwise the schema goes in a system message. */
  supportsJsonSchema?: (model: string) => boolean;
  /**
   * `strict` sent with json_schema. "auto" (default): true only when the schema fits
   * OpenAI's strict subset (every object closed, every property required).
   */
  strict?: boolean | "auto";
  /** Limits on accepted schemas: maxBytes (64 KiB), maxDepth (32). */
  schemaLimits?: SchemaLimits;
}

/**
 * Structured output for requests that carry `structured`: asks for JSON (json_schema
 * response format or a prompt instruction), extracts and repairs it, validates it
 * (JSON Schema and custom validators) and re-asks with the exact errors. Only valid
 * answers leave it. Requests without `structured` pass through untouched.
 */
export function structuredOutputMiddleware(options: StructuredOutputOptions = {}): Middleware {
  const settings: StructuredSettings = {
    defaultMaxAttempts: options.defaultMaxAttempts ?? 3,
    maxAttemptsLimit: options.maxAttemptsLimit ?? 5,
    supportsJsonSchema: options.supportsJsonSchema ?? defaultSupportsJsonSchema,
    strict: options.strict ?? "auto",
    schemaLimits: options.schemaLimits,
  };
  return {
    name: "structured-output",
    async wrapGenerate({ request, ctx, next }) {
      if (request.structured === undefined) return next(request, ctx);
      const plan = planStructured(request, settings, ctx.tenant);
      return runStructured({ plan, ctx, call: (attemptRequest) => next(attemptRequest, ctx) });
    },
    wrapStream({ request, ctx, next }) {
      if (request.structured === undefined) return next(request, ctx);
      return structuredStream({ request, ctx, next, settings });
    },
  };
}
