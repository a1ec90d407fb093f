import { KeelError } from "@keel/spec";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { structuredOutputMiddleware } from "./structured-output-middleware.ts";
import { createTestContext, scriptedModel } from "./test-support/scripted-model.ts";
import { validateValue } from "./validate-value.ts";
import { zodStructured } from "./zod-structured.ts";

const Invoice = z
  .object({
    customer: z.string(),
    lines: z.array(z.object({ item: z.string(), amount: z.number().positive() })),
    total: z.number(),
  })
  .refine((invoice) => invoice.lines.reduce((sum, line) => sum + line.amount, 0) === invoice.total, {
    message: "must equal the sum of the line amounts",
    path: ["total"],
  });

describe("zodStructured", () => {
  it("derives a JSON Schema that Ajv enforces", () => {
    const invoice = zodStructured(Invoice, { name: "invoice" });
    expect(invoice.schema).toMatchObject({ type: "object", required: ["customer", "lines", "total"] });
    expect(invoice.spec.name).toBe("invoice");
    expect(
      validateValue({ schema: invoice.schema }, { customer: "Ada", lines: [{ item: "x", amount: "1" }], total: 1 }),
    ).toEqual([{ path: "/lines/0/amount", message: "must be number" }]);
  });

  it("parses a value into the zod type", () => {
    const invoice = zodStructured(Invoice);
    const parsed = invoice.parse({ customer: "Ada", lines: [{ item: "x", amount: 2 }], total: 2 });
    expectTypeOf(parsed).toEqualTypeOf<z.infer<typeof Invoice>>();
    expect(parsed.lines[0]?.amount).toBe(2);
  });

  it("throws VALIDATION_FAILED with paths for a value that does not match", () => {
    const invoice = zodStructured(Invoice);
    let caught: unknown;
    try {
      invoice.parse({ customer: "Ada", lines: [], total: 5 });
    } catch (error) {
      caught = error;
    }
    expect(KeelError.isInstance(caught) && caught.code).toBe("VALIDATION_FAILED");
    expect(KeelError.isInstance(caught) && caught.details.errors).toEqual([
      { path: "/total", message: "must equal the sum of the line amounts" },
    ]);
  });

  it("drives a re-ask from a zod refinement that JSON Schema cannot express", async () => {
    const invoice = zodStructured(Invoice, { name: "invoice" });
    const model = scriptedModel([
      '{"customer": "Ada", "lines": [{"item": "tea", "amount": 2}], "total": 3}',
      '{"customer": "Ada", "lines": [{"item": "tea", "amount": 2}], "total": 2}',
    ]);
    const { ctx } = createTestContext();
    const request = {
      model: "gpt-4.1-mini",
      messages: [{ role: "user" as const, content: "Bill Ada for tea" }],
      structured: invoice.spec,
    };
    const generation = await structuredOutputMiddleware().wrapGenerate!({ request, ctx, next: model.generate });
    expect(model.calls[1]?.messages.at(-1)?.content).toContain("- /total: must equal the sum of the line amounts");
    expect(invoice.parse(generation.data).total).toBe(2);
  });
});
