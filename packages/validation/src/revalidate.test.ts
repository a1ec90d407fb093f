import type { ChatRequest } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { revalidate } from "./revalidate.ts";
import { generationOf } from "./test-support/scripted-model.ts";

const schema = { type: "object", properties: { total: { type: "number" } }, required: ["total"] };
const structured: ChatRequest = {
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "sum" }],
  structured: { schema },
};

describe("revalidate", () => {
  it("accepts anything for a request without structured", () => {
    expect(revalidate({ model: "m", messages: [] }, generationOf("not json"))).toBe(true);
  });

  it("accepts a cached answer whose data satisfies the schema", () => {
    expect(revalidate(structured, generationOf('{"total":3}', { data: { total: 3 } }))).toBe(true);
  });

  it("rejects a cached answer stored under another schema", () => {
    expect(revalidate(structured, generationOf('{"sum":3}', { data: { sum: 3 } }))).toBe(false);
  });

  it("parses the content when the cached answer has no data", () => {
    expect(revalidate(structured, generationOf('{"total": 4}'))).toBe(true);
    expect(revalidate(structured, generationOf('{"total": "four"}'))).toBe(false);
    expect(revalidate(structured, generationOf("four"))).toBe(false);
  });

  it("applies the request's custom validators too", () => {
    const positive: ChatRequest = {
      ...structured,
      structured: {
        schema,
        validators: [
          (value) => ((value as { total: number }).total < 0 ? [{ path: "/total", message: "must be positive" }] : []),
        ],
      },
    };
    expect(revalidate(positive, generationOf("", { data: { total: -1 } }))).toBe(false);
    expect(revalidate(positive, generationOf("", { data: { total: 1 } }))).toBe(true);
  });

  it("refuses to serve when the request's schema is itself invalid", () => {
    const broken: ChatRequest = { ...structured, structured: { schema: { type: "nonsense" } } };
    expect(revalidate(broken, generationOf('{"total":3}', { data: { total: 3 } }))).toBe(false);
  });
});
