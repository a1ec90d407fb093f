import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { definitionOf } from "../fields/known-fields.ts";
import { ConfigError } from "./config-error.ts";
import { loadConfig, parseConfig } from "./load-config.ts";
import { configSchema } from "./schema.ts";

/** The ConfigError a config raises, or a failure when it loads. */
function configError(input: unknown): ConfigError {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

function issueAt(error: ConfigError, path: string): string | undefined {
  return error.issues.find((issue) => issue.path === path)?.message;
}

const route = { targets: ["openai/gpt-4o-mini"] };
const providers = { openai: { apiKey: "sk-test" } };

describe("misspelt config keys stop the start (they were accepted silently)", () => {
  it("names an unknown key under a model and suggests the field it was meant to be", () => {
    const error = configError({ providers, models: { "gpt-4o-mini": { ...route, staticFalback: "busy" } } });
    expect(error.issues).toEqual([
      { path: "models.gpt-4o-mini.staticFalback", message: 'unknown field; did you mean "staticFallback"?' },
    ]);
  });

  it("at the top level: `model:` instead of `models:`", () => {
    const error = configError({ providers, model: { "gpt-4o-mini": route } });
    expect(issueAt(error, "model")).toBe('unknown field; did you mean "models"?');
  });

  it("under defaults, listing the known fields when nothing is close", () => {
    const error = configError({ defaults: { temprature: 0.2 } });
    expect(issueAt(error, "defaults.temprature")).toBe(
      "unknown field; expected one of: timeoutMs, policy, fallbackRules, hedging",
    );
  });

  it("inside a union-typed section (retry: false | {...}) and deep in telemetry and cache", () => {
    const error = configError({
      defaults: { policy: { retry: { maxAtempts: 3 } } },
      telemetry: { log: { levle: "info" } },
      cache: { semantic: { treshold: 0.9 } },
      services: { trpcPrt: 3000 },
    });
    expect(issueAt(error, "defaults.policy.retry.maxAtempts")).toBe('unknown field; did you mean "maxAttempts"?');
    expect(issueAt(error, "telemetry.log.levle")).toBe('unknown field; did you mean "level"?');
    expect(issueAt(error, "cache.semantic.treshold")).toBe('unknown field; did you mean "threshold"?');
    expect(issueAt(error, "services.trpcPrt")).toBe('unknown field; did you mean "trpcPort"?');
  });

  it("every object of the config schema is strict", () => {
    const loose: string[] = [];
    walkObjects(configSchema, "(root)", (path, schema) => {
      if (definitionOf(schema).catchall?._zod.def.type !== "never") loose.push(path);
    });
    expect(loose).toEqual([]);
  });
});

describe("config errors name the field, the expected type and the value", () => {
  it('retry: { maxAttempts: "three" } names maxAttempts, not only defaults.policy.retry', () => {
    const error = configError({ defaults: { policy: { retry: { maxAttempts: "three" } } } });
    expect(error.issues).toEqual([
      { path: "defaults.policy.retry.maxAttempts", message: 'expected a number, received "three"' },
    ]);
  });

  it("a value that matches no branch of a union says which shapes are allowed", () => {
    const error = configError({ defaults: { policy: { breaker: "sometimes" } } });
    expect(error.issues).toEqual([
      { path: "defaults.policy.breaker", message: 'expected false or a mapping (an object), received "sometimes"' },
    ]);
  });

  it("bounds, enums (with a suggestion) and missing required fields", () => {
    const error = configError({
      providers: { openai: {} },
      models: { chat: { targets: [] } },
      defaults: { timeoutMs: 0 },
      telemetry: { log: { level: "inf" } },
    });
    expect(issueAt(error, "providers.openai.apiKey")).toBe("required: expected a string");
    expect(issueAt(error, "models.chat.targets")).toBe("expected a list of >= 1 items, received a list");
    expect(issueAt(error, "defaults.timeoutMs")).toBe("expected a number > 0, received 0");
    expect(issueAt(error, "telemetry.log.level")).toMatch(
      /^expected one of "fatal", .*received "inf"; did you mean "info"\?$/,
    );
  });

  it("names the config file's path as the source, not (config)", () => {
    const directory = mkdtempSync(join(tmpdir(), "keel-config-"));
    const file = join(directory, "keel.yaml");
    writeFileSync(file, "models:\n  chat:\n    targets: [nowhere/model]\n");
    let caught: unknown;
    try {
      loadConfig({ KEEL_CONFIG: file });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.source).toBe(file);
    expect(error.message).toBe(
      `invalid Keel config in ${file}:\n` +
        '  - models.chat.targets.0: unknown provider "nowhere" in "nowhere/model"; configured providers: simulator',
    );
  });
});

describe("what fields say about each other is checked when the config loads", () => {
  it("a fallback rule jumping outside its chain names models.<route>.fallbackRules.<class>.target", () => {
    const error = configError({
      providers: { openai: { apiKey: "sk-test" }, local: { apiKey: "none", baseURL: "http://127.0.0.1:8000/v1" } },
      models: {
        "gpt-4o-mini": {
          targets: ["openai/gpt-4o-mini", "local/llama-3.1-8b"],
          fallbackRules: { rateLimited: "next", contextLength: { target: "openai/gpt-4.1" } },
        },
      },
    });
    expect(error.issues).toEqual([
      {
        path: "models.gpt-4o-mini.fallbackRules.contextLength.target",
        message:
          '"openai/gpt-4.1" is not a target of route "gpt-4o-mini" (openai/gpt-4o-mini, local/llama-3.1-8b); add it to models.gpt-4o-mini.targets or jump to one of them',
      },
    ]);
    expect(error).toBeInstanceOf(ConfigError);
  });

  it("a default rule's jump must be in every route that does not override it", () => {
    const error = configError({
      providers,
      models: { a: { targets: ["openai/x", "openai/y"] }, b: { targets: ["openai/x"] } },
      defaults: { fallbackRules: { contextLength: { target: "openai/y" } } },
    });
    expect(error.issues.map((issue) => issue.path)).toEqual(["defaults.fallbackRules.contextLength.target"]);
    expect(error.issues[0]?.message).toContain('route "b"');
  });

  it("unknown providers, embedders, target policies and json-schema routes, with suggestions", () => {
    const error = configError({
      providers,
      models: { chat: { targets: ["opneai/gpt-4o-mini"] } },
      embeddingModels: { small: "openai/text-embedding-3-small" },
      cache: { semantic: { embedder: "smal" } },
      targetPolicies: { "openai/gpt-4o-mimi": { retry: false } },
      validation: { jsonSchemaRoutes: ["caht"] },
    });
    expect(issueAt(error, "models.chat.targets.0")).toContain('did you mean "openai"?');
    expect(issueAt(error, "cache.semantic.embedder")).toContain('did you mean "small"?');
    expect(issueAt(error, "targetPolicies.openai/gpt-4o-mimi")).toContain("no route uses the target");
    expect(issueAt(error, "validation.jsonSchemaRoutes.0")).toContain('did you mean "chat"?');
  });
});

/** Calls `visit` for every object schema reachable from `schema`, with its dotted path. */
function walkObjects(
  schema: z.core.$ZodType,
  path: string,
  visit: (path: string, schema: z.core.$ZodType) => void,
): void {
  const definition = definitionOf(schema) as ReturnType<typeof definitionOf> & { type: string };
  if (definition.type === "object") {
    visit(path, schema);
    for (const [key, field] of Object.entries(definition.shape ?? {})) walkObjects(field, `${path}.${key}`, visit);
    return;
  }
  for (const inner of [definition.innerType, definition.in, definition.valueType, definition.element]) {
    if (inner) walkObjects(inner, path, visit);
  }
  for (const option of definition.options ?? []) walkObjects(option, path, visit);
}
