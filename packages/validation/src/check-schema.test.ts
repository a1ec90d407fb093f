import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { checkSchema } from "./check-schema.ts";

function rejection(schema: unknown, limits?: { maxBytes?: number; maxDepth?: number }): KeelError {
  try {
    checkSchema(schema, limits);
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("checkSchema accepted the schema");
}

function nested(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  for (let level = 0; level < depth; level++) schema = { type: "object", properties: { child: schema } };
  return schema;
}

describe("checkSchema", () => {
  it("accepts draft 2020-12, draft-07 and undeclared schemas, vendor keywords included", () => {
    expect(() =>
      checkSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "array",
        prefixItems: [{ type: "string" }],
      }),
    ).not.toThrow();
    expect(() =>
      checkSchema({ $schema: "http://json-schema.org/draft-07/schema#", type: "array", items: [{ type: "string" }] }),
    ).not.toThrow();
    expect(() => checkSchema({ type: "array", items: [{ type: "string" }] })).not.toThrow();
    expect(() => checkSchema({ type: "object", nullable: true, "x-vendor": 1 })).not.toThrow();
  });

  it("rejects an invalid JSON Schema with the reason", () => {
    const error = rejection({ type: "object", properties: { age: { type: "integr" } } });
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details).toMatchObject({ field: "structured.schema", reason: "invalid-schema" });
    expect(error.message).toContain("properties/age/type");
  });

  it("rejects a schema whose reference cannot be resolved", () => {
    const error = rejection({ type: "object", properties: { a: { $ref: "#/$defs/missing" } } });
    expect(error.details.reason).toBe("invalid-schema");
    expect(error.message).toContain("missing");
  });

  it("rejects an unsupported dialect and a non-object", () => {
    expect(rejection({ $schema: "http://json-schema.org/draft-04/schema#" }).details.reason).toBe(
      "unsupported-dialect",
    );
    expect(rejection("not a schema").details.reason).toBe("not-an-object");
    expect(rejection([]).details.reason).toBe("not-an-object");
  });

  it("rejects a schema over maxBytes", () => {
    const properties = Object.fromEntries(
      Array.from({ length: 3000 }, (_, index) => [`field${index}`, { type: "string" }]),
    );
    const error = rejection({ type: "object", properties });
    expect(error.details.reason).toBe("too-large");
    expect(error.message).toContain("65536");
    expect(rejection({ type: "object", description: "x".repeat(200) }, { maxBytes: 100 }).details.reason).toBe(
      "too-large",
    );
  });

  it("rejects nesting deeper than maxDepth and accepts it at the limit", () => {
    expect(rejection(nested(20)).details.reason).toBe("too-deep");
    expect(() => checkSchema(nested(5), { maxDepth: 11 })).not.toThrow();
    expect(rejection(nested(6), { maxDepth: 11 }).message).toContain("11 levels");
  });

  it("rejects a cyclic in-process object instead of overflowing the stack", () => {
    const schema: Record<string, unknown> = { type: "object" };
    schema.properties = { self: schema };
    expect(rejection(schema).details.reason).toBe("too-deep");
  });

  it("replaces a schema registered under the same $id when its body changes", () => {
    checkSchema({ $id: "https://keel.test/person", type: "object", properties: { a: { type: "string" } } });
    expect(() =>
      checkSchema({ $id: "https://keel.test/person", type: "object", properties: { b: { type: "string" } } }),
    ).not.toThrow();
  });
});
