/**
 * Regression (issue 12.1): a caller's `pattern` / `patternProperties` ran on the model's
 * answer as a backtracking JavaScript regex, so `^(a+)+$` against "aaaa…a!" blocked the
 * event loop and /healthz stopped answering. Patterns now run on a linear-time engine.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KeelError, type ChatRequest } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSchema } from "./check-schema.ts";
import { structuredOutputMiddleware } from "./structured-output-middleware.ts";
import { createTestContext, scriptedModel } from "./test-support/scripted-model.ts";
import { validateValue } from "./validate-value.ts";

// 2^28 backtracking steps: several seconds for a backtracking engine, microseconds for a linear one.
const CATASTROPHIC_LENGTH = 28;
const ONE_MEGABYTE = 1024 * 1024;
// Generous for a shared two-core machine; a backtracking engine misses it by orders of magnitude.
const BOUND_MS = 1_500;

let server: Server;
let healthzUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.writeHead(request.url === "/healthz" ? 200 : 404, { "content-type": "application/json" });
    response.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  healthzUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Milliseconds until /healthz answers, measured from the moment it is asked. */
function healthzLatency(): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(healthzUrl, { agent: false }, (incoming) => {
      incoming.resume();
      incoming.once("end", () => resolve({ status: incoming.statusCode ?? 0, ms: performance.now() - started }));
    });
    outgoing.once("error", reject);
    outgoing.end();
  });
}

/** The longest gap between ticks of a 10 ms interval while `work` runs. */
async function longestTickGap<T>(work: () => Promise<T>): Promise<{ result: T; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    await new Promise((resolve) => setTimeout(resolve, 30));
    gapMs = Math.max(gapMs, performance.now() - last);
    return { result, gapMs };
  } finally {
    clearInterval(timer);
  }
}

async function structuredFailure(schema: Record<string, unknown>, answer: string): Promise<KeelError> {
  const request: ChatRequest = {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Say it" }],
    structured: { schema, name: "said", maxAttempts: 1 },
  };
  const model = scriptedModel([answer]);
  const { ctx } = createTestContext();
  try {
    await structuredOutputMiddleware().wrapGenerate!({ request, ctx, next: model.generate });
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("the middleware accepted an answer that does not match the pattern");
}

describe("caller patterns run in linear time (regression: ReDoS from caller schemas)", () => {
  it("'^(a+)+$' against 'a'×28+'!' fails validation at once while /healthz keeps answering", async () => {
    const schema = {
      type: "object",
      properties: { text: { type: "string", pattern: "^(a+)+$" } },
      required: ["text"],
    };
    const answer = JSON.stringify({ text: `${"a".repeat(CATASTROPHIC_LENGTH)}!` });
    const started = performance.now();
    // Asked first, answered only once the event loop is free again.
    const health = healthzLatency();
    const { result: error, gapMs } = await longestTickGap(() => structuredFailure(schema, answer));
    const elapsed = performance.now() - started;
    const healthz = await health;

    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details?.errors).toEqual([{ path: "/text", message: 'must match pattern "^(a+)+$"' }]);
    expect(elapsed).toBeLessThan(BOUND_MS);
    expect(gapMs).toBeLessThan(BOUND_MS);
    expect(healthz.status).toBe(200);
    expect(healthz.ms).toBeLessThan(BOUND_MS);
  });

  it("a 1 MB answer against catastrophic pattern, patternProperties and propertyNames finishes within the bound", async () => {
    const long = `${"a".repeat(ONE_MEGABYTE)}!`;
    const schema = {
      type: "object",
      properties: { text: { type: "string", pattern: "^(a|a)*$" } },
      patternProperties: { "^(a+)+$": { type: "number" } },
      propertyNames: { pattern: "^(a|aa)+$|^text$" },
    };
    // The long string is both a value and a property name.
    const answer = JSON.stringify({ text: long, [long]: 1 });
    const health = healthzLatency();
    const started = performance.now();
    const { result: error, gapMs } = await longestTickGap(() => structuredFailure(schema, answer));
    const elapsed = performance.now() - started;
    const healthz = await health;

    expect(error.code).toBe("VALIDATION_FAILED");
    const errors = error.details?.errors as Array<{ path: string; message: string }>;
    expect(new Set(errors.map((issue) => issue.path))).toEqual(new Set(["/", "/text"]));
    expect(errors).toContainEqual({ path: "/text", message: 'must match pattern "^(a|a)*$"' });
    expect(elapsed).toBeLessThan(BOUND_MS * 2);
    expect(gapMs).toBeLessThan(BOUND_MS * 2);
    expect(healthz.ms).toBeLessThan(BOUND_MS * 2);
  });

  it("format 'regex' on a 1 MB answer only parses it, within the bound", () => {
    const spec = { schema: { type: "string", format: "regex" } };
    const started = performance.now();
    expect(validateValue(spec, `${"(?:a+)+".repeat(ONE_MEGABYTE / 7)}$`)).toEqual([]);
    expect(validateValue(spec, "(".repeat(ONE_MEGABYTE))).toEqual([
      { path: "/", message: 'must match format "regex"' },
    ]);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });

  it("uniqueItems over a 1 MB array of distinct objects finishes within the bound (was quadratic)", () => {
    const items = Array.from({ length: 60_000 }, (_, index) => ({ n: index }));
    const spec = { schema: { type: "array", uniqueItems: true } };
    const started = performance.now();
    expect(validateValue(spec, items)).toEqual([]);
    expect(validateValue(spec, [...items, { n: 5 }])).toEqual([
      { path: "/", message: "must NOT have duplicate items (items ## 5 and 60000 are identical)" },
    ]);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });
});

describe("patterns keep their meaning on the linear-time engine", () => {
  const matches = (pattern: string, text: string) => validateValue({ schema: { pattern } }, text).length === 0;

  it("matches anywhere unless anchored, as JSON Schema says", () => {
    expect(matches("b", "abc")).toBe(true);
    expect(matches("^b", "abc")).toBe(false);
    expect(matches("^[A-Z]{2}\\d{4}$", "AB1234")).toBe(true);
    expect(matches("^[A-Z]{2}\\d{4}$", "AB1234\n")).toBe(false);
  });

  it("reads Unicode: code points, property classes, escapes and named groups", () => {
    expect(matches("^.$", "😀")).toBe(true);
    expect(matches("^\\p{L}+$", "Ça")).toBe(true);
    expect(matches("^\\p{Lu}", "ça")).toBe(false);
    expect(matches("^caf\\u00e9$", "café")).toBe(true);
    expect(matches("^\\u{1F600}$", "😀")).toBe(true);
    expect(matches("^(?<year>\\d{4})-\\d{2}$", "2024-05")).toBe(true);
    expect(matches("^a/b$", "a/b")).toBe(true);
  });

  it("applies patternProperties to property names", () => {
    const spec = { schema: { type: "object", patternProperties: { "^x-": { type: "string" } } } };
    expect(validateValue(spec, { "x-a": "ok", other: 1 })).toEqual([]);
    expect(validateValue(spec, { "x-a": 1 })).toEqual([{ path: "/x-a", message: "must be string" }]);
  });

  it("rejects what no linear-time engine can run (lookaround, backreferences) with BAD_REQUEST naming the schema path", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { type: "object", properties: { code: { type: "string", pattern: "^(?=a)\\w+$" } } },
        "/properties/code/pattern",
      ],
      [{ type: "string", pattern: "^(a)\\1$" }, "/pattern"],
      [{ type: "object", patternProperties: { "^(?!x-)": { type: "string" } } }, "/patternProperties/^(?!x-)"],
      [{ $defs: { id: { propertyNames: { pattern: "(a)\\1" } } } }, "/$defs/id/propertyNames/pattern"],
      [{ items: [{ pattern: "(?<=a)b" }] }, "/items/0/pattern"],
    ];
    for (const [schema, path] of cases) {
      let caught: unknown;
      try {
        checkSchema(schema);
      } catch (error) {
        caught = error;
      }
      expect(KeelError.isInstance(caught), JSON.stringify(schema)).toBe(true);
      const keelError = caught as KeelError;
      expect(keelError.code).toBe("BAD_REQUEST");
      expect(keelError.details).toMatchObject({ field: "structured.schema", reason: "unsupported-pattern", path });
      expect(keelError.message).toContain(path);
    }
  });
});
