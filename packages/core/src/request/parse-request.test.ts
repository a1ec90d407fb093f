import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { parseChatRequest, parseEmbeddingRequest } from "./parse-request.ts";

function badRequest(input: unknown): KeelError {
  try {
    parseChatRequest(input);
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a BAD_REQUEST");
}

const valid = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], temperature: 0 };

describe("parseChatRequest", () => {
  it("accepts the contract's plain body", () => {
    expect(parseChatRequest(valid)).toEqual(valid);
  });

  it.each([
    [{ ...valid, messages: undefined }, "messages"],
    [{ ...valid, messages: [] }, "messages"],
    [{ ...valid, messages: [{ role: "user", content: 42 }] }, "messages.0.content"],
    [{ ...valid, messages: [{ role: "wizard", content: "x" }] }, "messages.0.role"],
    [{ ...valid, temperature: "hot" }, "temperature"],
    [{ ...valid, temperature: 3 }, "temperature"],
    [{ ...valid, maxTokens: 1.5 }, "maxTokens"],
    [{ ...valid, cache: { mode: "sometimes" } }, "cache.mode"],
    [{ ...valid, temprature: 0 }, "temprature"],
    [{ ...valid, model: "" }, "model"],
  ])("names the bad field %#", (input, field) => {
    const error = badRequest(input);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(`${field}:`);
  });

  it('names a misspelt field itself and suggests the known one ("temprature" was reported as "(input)")', () => {
    const error = badRequest({ ...valid, temprature: 0 });
    expect(error.message).toBe('temprature: unknown field; did you mean "temperature"?');
    expect(error.details).toEqual({
      field: "temprature",
      hint: 'did you mean "temperature"?',
      issues: [
        {
          field: "temprature",
          message: 'unknown field; did you mean "temperature"?',
          hint: 'did you mean "temperature"?',
        },
      ],
    });
    const nested = badRequest({ ...valid, messages: [{ role: "user", contnet: "Hi" }] });
    expect(nested.details.field).toBe("messages.0.contnet");
    expect(nested.details.hint).toBe('did you mean "content"?');
    const unrelated = badRequest({ ...valid, colour: "blue" });
    expect(unrelated.details).toMatchObject({ field: "colour" });
    expect(unrelated.details.hint).toBeUndefined();
  });

  it("rejects non-objects", () => {
    for (const input of [null, "text", 42, [valid]]) expect(badRequest(input).code).toBe("BAD_REQUEST");
  });
});

describe("parseEmbeddingRequest", () => {
  it("needs a model and at least one input string", () => {
    expect(parseEmbeddingRequest({ model: "e", input: ["a"] })).toEqual({ model: "e", input: ["a"] });
    expect(() => parseEmbeddingRequest({ model: "e", input: [] })).toThrow(/input/);
  });
});
