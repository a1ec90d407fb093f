/**
 * Regression (issue 12.2): a failed compile left the schema in Ajv's cache, and nested
 * `$id`s stayed registered after their schema was evicted, so a caller sending a fresh
 * schema with every request grew the heap without bound. The heap must return to its
 * level once the bounded cache of compiled schemas is full.
 */
import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { compileSchema, compiledSchemaCount } from "./compiled-schemas.ts";

const SCHEMAS = 50_000;
// The bounded cache holds at most 256 compiled schemas of a few KB each; anything that
// keeps a trace of every schema (25,000 failures, 25,000 nested $ids) lands far above this.
const GROWTH_LIMIT_BYTES = 12 * 1024 * 1024;

const gc = globalThis.gc;

function heapAfterCollection(): number {
  if (gc === undefined) throw new Error("run with --expose-gc (see vitest.config.ts)");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Unique schemas that pass the meta-schema but fail to compile, in three ways. */
function failingSchema(index: number): Record<string, unknown> {
  switch (index % 3) {
    case 0:
      return { $id: `https://leak.example/missing/${index}`, $ref: `https://leak.example/nowhere/${index}` };
    case 1:
      return {
        type: "object",
        $defs: {
          a: { $id: `https://leak.example/twice/${index}`, type: "string" },
          b: { $id: `https://leak.example/twice/${index}`, type: "number" },
        },
      };
    default:
      return { type: "object", properties: { [`p${index}`]: { $ref: `#/$defs/absent${index}` } } };
  }
}

/** Unique schemas that compile, each with a nested $id and a pattern (small: Ajv's compile is the cost). */
function succeedingSchema(index: number): Record<string, unknown> {
  return {
    $id: `https://leak.example/root/${index}`,
    properties: { v: { $id: `https://leak.example/nested/${index}`, pattern: `^v${index}` } },
  };
}

function compileMany(from: number, count: number): { failed: number; compiled: number } {
  let failed = 0;
  let compiled = 0;
  for (let index = from; index < from + count; index++) {
    const scope = `tenant-${index % 7}`;
    try {
      compileSchema(failingSchema(index), { scope });
    } catch (error) {
      if (!KeelError.isInstance(error) || error.code !== "BAD_REQUEST") throw error;
      failed++;
    }
    const entry = compileSchema(succeedingSchema(index), { scope });
    if (entry.validate({ v: `v${index}` }) === true && entry.validate({ v: "w" }) === false) compiled++;
  }
  return { failed, compiled };
}

describe("compiled schemas keep memory bounded (regression: Ajv memory growth)", () => {
  it(`compiling ${SCHEMAS} unique failing and succeeding schemas returns the heap to its level`, () => {
    // Warm up until the bounded cache is full, so the baseline already holds its share.
    compileMany(0, 1_000);
    const baseline = heapAfterCollection();

    const outcome = compileMany(10_000, SCHEMAS / 2);
    const grown = heapAfterCollection() - baseline;

    expect(outcome).toEqual({ failed: SCHEMAS / 2, compiled: SCHEMAS / 2 });
    expect(compiledSchemaCount()).toBeLessThanOrEqual(256);
    expect(grown, `heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB`).toBeLessThan(GROWTH_LIMIT_BYTES);
  }, 240_000);
});
