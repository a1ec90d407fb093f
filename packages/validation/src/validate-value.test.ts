import type { StructuredOutputSpec } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { validateValue } from "./validate-value.ts";

const person: StructuredOutputSpec = {
  schema: {
    type: "object",
    properties: {
      name: { type: "string" },
      age: { type: "integer", minimum: 0 },
      email: { type: "string", format: "email" },
      items: {
        type: "array",
        items: { type: "object", properties: { price: { type: "number" } }, required: ["price"] },
      },
    },
    required: ["name", "age"],
    additionalProperties: false,
  },
};

describe("validateValue", () => {
  it("returns no issues for a valid value", () => {
    expect(validateValue(person, { name: "Ada", age: 36, email: "ada@example.com", items: [{ price: 1.5 }] })).toEqual(
      [],
    );
  });

  it("reports every error with its JSON path", () => {
    const issues = validateValue(person, { age: -1, email: "not-an-email", items: [{ price: "cheap" }], extra: true });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "/name", message: "is required but missing" },
        { path: "/extra", message: "is not allowed (no additional properties)" },
        { path: "/age", message: "must be >= 0" },
        { path: "/email", message: 'must match format "email"' },
        { path: "/items/0/price", message: "must be number" },
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it("runs custom validators on schema-valid values only", () => {
    let calls = 0;
    const spec: StructuredOutputSpec = {
      ...person,
      validators: [
        (value) => {
          calls++;
          const { age } = value as { age: number };
          return age > 130 ? [{ path: "/age", message: "must be a plausible human age" }] : [];
        },
      ],
    };
    expect(validateValue(spec, { name: "Old", age: 200 })).toEqual([
      { path: "/age", message: "must be a plausible human age" },
    ]);
    expect(validateValue(spec, { name: 3 })).toHaveLength(2);
    expect(calls).toBe(1);
  });

  it("turns a throwing custom validator into an issue", () => {
    const spec: StructuredOutputSpec = {
      schema: { type: "object" },
      validators: [
        () => {
          throw new Error("end before start");
        },
      ],
    };
    expect(validateValue(spec, {})).toEqual([{ path: "/", message: "end before start" }]);
  });
});
