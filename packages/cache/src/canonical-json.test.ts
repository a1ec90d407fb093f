import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { exactCacheKey, semanticPartition } from "./cache-key.ts";

/** The first version, kept here as the reference: stored entries are found by its text's hash. */
function firstCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? "null" : firstCanonicalJson(item))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined || typeof member === "function") continue;
    members.push(`${JSON.stringify(key)}:${firstCanonicalJson(member)}`);
  }
  return `{${members.join(",")}}`;
}

// biome-ignore lint/suspicious/noSparseArray: a hole must serialise as it always did
const sparse = [1, , 3];

const values: unknown[] = [
  null,
  undefined,
  0,
  -0,
  1.5e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  "",
  'quote " backslash \\ newline \n tab \t line separator \u2028 emoji 🙂 lone \ud800',
  () => 1,
  Symbol("s"),
  [],
  {},
  [undefined, null, () => 1, Symbol("t"), "x", [[]], {}],
  sparse,
  { b: 1, a: 2, c: undefined, d: () => 1, e: Symbol("u"), f: null },
  { 10: "ten", 9: "nine", a: "a", "": "empty", 'q"k': 1, "\u00e9": 2, Z: 3, z: 4 },
  { nested: { z: [1, { y: 2, x: [3, { w: undefined }] }], a: { b: { c: { d: "deep" } } } } },
  new Date(0),
  new Uint8Array([3, 1, 2]),
  Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
  {
    v: 1,
    namespace: "tenant-a",
    scope: undefined,
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Hi (1).", name: undefined, toolCallId: undefined, toolCalls: undefined }],
    temperature: 0,
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { q: {} } } } }],
  },
];

describe("canonicalJson", () => {
  it("writes every value exactly as the first version did, so stored cache keys still match", () => {
    for (const value of values) expect(canonicalJson(value)).toBe(firstCanonicalJson(value));
  });

  it("keeps the exact key and the semantic partition of a request as they were", () => {
    const request = {
      model: "gpt-4o-mini",
      messages: [
        { role: "system" as const, content: "Be brief." },
        { role: "user" as const, content: "What is the capital of France?" },
      ],
      temperature: 0,
      maxTokens: 64,
    };
    // Computed with the first version (commit e7ca21e): a change here would strand every stored entry.
    expect(exactCacheKey(request, { namespace: "tenant-a" })).toBe(EXACT_KEY);
    expect(semanticPartition(request, { namespace: "tenant-a", embedder: "keel-local-hash-v1-512" })).toBe(PARTITION);
  });

  it("keeps the keys of a request that sets every keyed field as they were", () => {
    const request = {
      model: "gpt-4o-mini",
      messages: [
        { role: "system" as const, content: "Use the tool." },
        { role: "assistant" as const, content: "", toolCalls: [{ id: "c1", name: "lookup", arguments: '{"q":1}' }] },
        { role: "tool" as const, content: "42", toolCallId: "c1", name: "lookup" },
        { role: "user" as const, content: "And then?" },
      ],
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 64,
      stop: ["\n\n"],
      seed: 7,
      tools: [
        { name: "lookup", description: "d", parameters: { type: "object", properties: { q: { type: "number" } } } },
      ],
      toolChoice: "auto" as const,
      responseFormat: { type: "json_object" as const },
      structured: {
        schema: { type: "object", required: ["a"], properties: { a: { type: "string" } } },
        name: "answer",
      },
      documents: [{ id: "d1", text: "Doc one." }],
    } as unknown as Parameters<typeof exactCacheKey>[0];
    const options = { namespace: "tenant-b", scope: "route:x" };
    // Computed with the first version (commit e7ca21e).
    expect(exactCacheKey(request, options)).toBe(
      "exact:{dca63edadf7ca5c8c2202624ec23864cd0529efc318a0eb6ee4d5a2fab7a8bad}",
    );
    expect(semanticPartition(request, { ...options, embedder: "keel-local-hash-v1-512" })).toBe(
      "22d6e17c564d88e5b830b2f4d9193537",
    );
  });
});

const EXACT_KEY = "exact:{51e381aa8a7341379e09adac01157d504f84cabe88eedbea72e6fb92c4d4c9c3}";
const PARTITION = "6728b9bd27e686f3ae35f82901182d71";
