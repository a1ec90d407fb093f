/**
 * Regression (issue 12.2): every caller schema was compiled into one shared Ajv instance,
 * so one caller's `$id` resolved in another tenant's `$ref`, and a later schema with the
 * same `$id` replaced the earlier registration. Each schema now compiles in a resolution
 * scope of its own; identical schemas are still compiled once per tenant.
 */
import { KeelError, type ChatRequest, type StructuredOutputSpec } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { checkSchema } from "./check-schema.ts";
import { compileSchema } from "./compiled-schemas.ts";
import { structuredOutputMiddleware } from "./structured-output-middleware.ts";
import { createTestContext, scriptedModel } from "./test-support/scripted-model.ts";

function badRequestOf(action: () => unknown): KeelError {
  try {
    action();
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected BAD_REQUEST");
}

async function structuredAs(tenant: string, spec: StructuredOutputSpec, answer: string) {
  const request: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Go" }], structured: spec };
  const model = scriptedModel([answer]);
  const { ctx } = createTestContext();
  try {
    const generation = await structuredOutputMiddleware().wrapGenerate!({
      request,
      ctx: { ...ctx, tenant },
      next: model.generate,
    });
    return { generation, calls: model.calls.length };
  } catch (error) {
    if (KeelError.isInstance(error)) return { error, calls: model.calls.length };
    throw error;
  }
}

describe("caller schemas do not share a resolution scope (regression: shared $ids)", () => {
  it("one tenant's $id does not resolve in another tenant's $ref: BAD_REQUEST before any upstream call", async () => {
    const owner = await structuredAs(
      "tenant-a",
      {
        schema: {
          $id: "https://schemas.example/tenant-a/secret-shape",
          type: "object",
          properties: { secret: { const: "tenant-a-only" } },
          required: ["secret"],
        },
      },
      '{"secret":"tenant-a-only"}',
    );
    expect(owner.generation?.data).toEqual({ secret: "tenant-a-only" });

    const intruder = await structuredAs(
      "tenant-b",
      { schema: { $ref: "https://schemas.example/tenant-a/secret-shape" } },
      '{"secret":"tenant-a-only"}',
    );
    expect(intruder.calls).toBe(0);
    expect(intruder.error?.code).toBe("BAD_REQUEST");
    expect(intruder.error?.details).toMatchObject({ field: "structured.schema", reason: "invalid-schema" });
    expect(intruder.error?.message).toContain("can't resolve reference https://schemas.example/tenant-a/secret-shape");
  });

  it("not even the same tenant's earlier request: each schema resolves only its own $ids", () => {
    compileSchema({ $id: "https://schemas.example/shared/name", type: "string" }, { scope: "tenant-a" });
    const error = badRequestOf(() =>
      compileSchema({ $ref: "https://schemas.example/shared/name" }, { scope: "tenant-a" }),
    );
    expect(error.details).toMatchObject({ reason: "invalid-schema" });
  });

  it("a later schema with the same $id replaces nothing: each keeps its own meaning", async () => {
    const id = "https://schemas.example/contested";
    const first = { $id: id, type: "object", properties: { n: { type: "string" } }, required: ["n"] };
    const second = { $id: id, type: "object", properties: { n: { type: "number" } }, required: ["n"] };
    const self = { $id: id, $defs: { n: { type: "integer" } }, properties: { n: { $ref: `${id}#/$defs/n` } } };
    expect((await structuredAs("tenant-a", { schema: first }, '{"n":"text"}')).generation?.data).toEqual({ n: "text" });
    expect((await structuredAs("tenant-b", { schema: second }, '{"n":2}')).generation?.data).toEqual({ n: 2 });
    // The first registration still means what it meant, and resolving its own $id finds itself.
    expect((await structuredAs("tenant-a", { schema: first }, '{"n":"again"}')).generation?.data).toEqual({
      n: "again",
    });
    const wrong = await structuredAs("tenant-a", { schema: first, maxAttempts: 1 }, '{"n":2}');
    expect(wrong.error?.code).toBe("VALIDATION_FAILED");
    expect(compileSchema(self).validate({ n: 1 })).toBe(true);
    expect(compileSchema(self).validate({ n: 1.5 })).toBe(false);
  });

  it("a $schema URL that merely names a dialect is checked against that dialect's own meta-schema", () => {
    // Another caller registers a "meta-schema" that rejects everything under a dialect-like URL.
    compileSchema({ $id: "https://evil.example/draft/2020-12/schema", not: {} }, { scope: "tenant-a" });
    const valid = { $schema: "https://evil.example/draft/2020-12/schema", type: "string" };
    expect(() => checkSchema(valid, { scope: "tenant-b" })).not.toThrow();
    const error = badRequestOf(() =>
      checkSchema({ $schema: "https://evil.example/draft/2020-12/schema", type: "not-a-type" }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details).toMatchObject({ reason: "invalid-schema" });
    expect(() =>
      checkSchema({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "string" }),
    ).not.toThrow();
    expect(() => checkSchema({ $schema: "http://json-schema.org/draft-07/schema#", type: "string" })).not.toThrow();
  });

  it("identical schemas compile once per tenant scope (the hot path), never shared across tenants", () => {
    const schema = { type: "object", properties: { total: { type: "number" } }, required: ["total"] };
    const first = compileSchema(schema, { scope: "tenant-a" });
    expect(compileSchema({ ...schema }, { scope: "tenant-a" })).toBe(first);
    const other = compileSchema(schema, { scope: "tenant-b" });
    expect(other).not.toBe(first);
    expect(other.validate({ total: 1 })).toBe(true);
    expect(first.validate({ total: "1" })).toBe(false);
  });
});
