import { describe, expect, it } from "vitest";
import { extractJson } from "./extract-json.ts";

describe("extractJson", () => {
  it("parses pure JSON without calling it repaired", () => {
    expect(extractJson('{"name":"Ada","age":36}')).toEqual({
      success: true,
      value: { name: "Ada", age: 36 },
      repaired: false,
    });
    expect(extractJson("  42 \n")).toEqual({ success: true, value: 42, repaired: false });
  });

  it("takes the JSON out of a fenced code block", () => {
    const text = 'Here you go:\n```json\n{"name": "Ada", "tags": ["x"]}\n```\nAnything else?';
    expect(extractJson(text)).toEqual({ success: true, value: { name: "Ada", tags: ["x"] }, repaired: true });
  });

  it("takes the JSON out of surrounding prose, skipping brackets that are not JSON", () => {
    const text = 'Sure [1]. The answer is {"city": "Paris", "note": "a } inside"} and that is all.';
    expect(extractJson(text)).toEqual({ success: true, value: { city: "Paris", note: "a } inside" }, repaired: true });
  });

  it("repairs trailing commas", () => {
    expect(extractJson('{"a": 1, "b": [1, 2,],}')).toEqual({
      success: true,
      value: { a: 1, b: [1, 2] },
      repaired: true,
    });
  });

  it("repairs single quotes and unquoted keys", () => {
    expect(extractJson("{name: 'Ada', 'age': 36}")).toEqual({
      success: true,
      value: { name: "Ada", age: 36 },
      repaired: true,
    });
  });

  it("closes a truncated answer", () => {
    expect(extractJson('{"items": [{"id": 1}, {"id": 2')).toEqual({
      success: true,
      value: { items: [{ id: 1 }, { id: 2 }] },
      repaired: true,
    });
  });

  it("closes a truncated answer inside an unterminated fence", () => {
    expect(extractJson('```json\n{"a": [1, 2')).toEqual({ success: true, value: { a: [1, 2] }, repaired: true });
  });

  it("reports a failure as a value when there is no JSON", () => {
    const result = extractJson("I cannot help with that.");
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error).toContain("no JSON");
  });
});

describe("extractJson with several bracketed spans", () => {
  it("prefers the longest span that parses", () => {
    const text = 'Options [a] and [1, 2]; result: {"items": [1, 2, 3], "total": 6}.';
    expect(extractJson(text)).toEqual({ success: true, value: { items: [1, 2, 3], total: 6 }, repaired: true });
  });
});
