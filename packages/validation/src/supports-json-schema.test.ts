import { describe, expect, it } from "vitest";
import { defaultSupportsJsonSchema } from "./supports-json-schema.ts";

describe("defaultSupportsJsonSchema", () => {
  it("says yes for OpenAI models with structured outputs", () => {
    for (const model of [
      "gpt-4o",
      "gpt-4o-mini",
      "gpt-4o-2024-08-06",
      "gpt-4.1",
      "gpt-4.1-nano",
      "o1",
      "o3-mini",
      "o4-mini",
      "openai/gpt-4o-mini",
      "gpt-5",
    ]) {
      expect(defaultSupportsJsonSchema(model), model).toBe(true);
    }
  });

  it("says no for other models and the first gpt-4o snapshot", () => {
    for (const model of [
      "gpt-4o-2024-05-13",
      "gpt-4-turbo",
      "gpt-3.5-turbo",
      "llama-3.1-8b",
      "mistral-large",
      "omni",
      "o",
    ]) {
      expect(defaultSupportsJsonSchema(model), model).toBe(false);
    }
  });
});
