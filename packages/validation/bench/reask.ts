/**
 * Re-ask benchmark: the structured-output middleware over a scripted upstream where 30%
 * of first answers are invalid in assorted ways. Seeded, so the figures repeat.
 * Run: pnpm --filter @keel/validation bench   (N and SEED may be passed as arguments)
 */
import {
  KeelError,
  type ChatRequest,
  type Generation,
  type GenerateNext,
  type RequestContext,
  type ValidationReport,
} from "@keel/spec";
import { structuredOutputMiddleware } from "../src/index.ts";
import { generationOf } from "../src/test-support/scripted-model.ts";

const requests = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 42);

/** mulberry32: a small seeded PRNG so every run draws the same answers. */
function createRandom(initial: number): () => number {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const schema = {
  type: "object",
  properties: {
    id: { type: "string" },
    total: { type: "number", minimum: 0 },
    items: {
      type: "array",
      items: {
        type: "object",
        properties: { sku: { type: "string" }, qty: { type: "integer", minimum: 1 } },
        required: ["sku", "qty"],
        additionalProperties: false,
      },
    },
  },
  required: ["id", "total", "items"],
  additionalProperties: false,
};

const valid = (index: number) => JSON.stringify({ id: `order-${index}`, total: 12.5, items: [{ sku: "tea", qty: 2 }] });

/** First-answer kinds and their shares; the rest (70%) are valid JSON. */
const KINDS: Array<[kind: string, share: number, script: (index: number) => string[]]> = [
  ["fenced", 0.06, (index) => ["```json\n" + valid(index) + "\n```"]],
  ["prose", 0.05, (index) => [`Here is the order: ${valid(index)} Let me know if you need more.`]],
  ["trailing-comma", 0.05, (index) => [valid(index).replace(/}$/, ",}")]],
  ["single-quotes", 0.02, (index) => [valid(index).replaceAll('"', "'")]],
  [
    "wrong-types",
    0.05,
    (index) => [`{"id": ${index}, "total": "12.5", "items": [{"sku": "tea", "qty": "2"}]}`, valid(index)],
  ],
  [
    "missing-fields",
    0.04,
    (index) => [`{"id": "order-${index}"}`, `{"id": "order-${index}", "total": 12.5}`, valid(index)],
  ],
  ["never-valid", 0.03, () => ["I cannot do that.", '{"id": null}', "Sorry."]],
];

function scriptFor(index: number, random: () => number): { kind: string; answers: string[] } {
  let draw = random();
  for (const [kind, share, script] of KINDS) {
    if (draw < share) return { kind, answers: script(index) };
    draw -= share;
  }
  return { kind: "valid", answers: [valid(index)] };
}

const random = createRandom(seed);
const middleware = structuredOutputMiddleware();
const signal = new AbortController().signal;
let upstreamCalls = 0;
let validResults = 0;
let failures = 0;
let repairSaved = 0;
let reasks = 0;
const byKind = new Map<string, { requests: number; calls: number; valid: number }>();
let busyMs = 0;
let coldMs = 0;

for (let index = 0; index < requests; index++) {
  const { kind, answers } = scriptFor(index, random);
  let call = 0;
  const next: GenerateNext = async () => {
    upstreamCalls++;
    const content = answers[Math.min(call, answers.length - 1)] ?? "";
    call++;
    return generationOf(content);
  };
  const ctx: RequestContext = {
    requestId: `r${index}`,
    tenant: "bench",
    operation: "structured",
    deadline: Date.now() + 60_000,
    signal,
    events: { emit() {} },
  };
  const request: ChatRequest = {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: `order ${index}` }],
    structured: { schema, name: "order" },
  };
  const started = performance.now();
  let report: ValidationReport | undefined;
  try {
    const generation: Generation = await middleware.wrapGenerate!({ request, ctx, next });
    report = generation.validation;
    validResults++;
  } catch (error) {
    if (!KeelError.isInstance(error) || error.code !== "VALIDATION_FAILED") throw error;
    report = error.details.validation as ValidationReport;
    failures++;
  }
  // The first request compiles the schema; it is reported apart from the steady state.
  if (index === 0) coldMs = performance.now() - started;
  else busyMs += performance.now() - started;
  // Each repaired, then valid, answer is one re-ask a validator without repair would have made.
  for (const attempt of report?.history ?? []) if (attempt.repaired && attempt.errors.length === 0) repairSaved++;
  reasks += call - 1;
  const entry = byKind.get(kind) ?? { requests: 0, calls: 0, valid: 0 };
  entry.requests++;
  entry.calls += call;
  if (report?.valid === true) entry.valid++;
  byKind.set(kind, entry);
}

const rows = [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b));
console.log(`structured-output re-ask benchmark: N=${requests}, seed=${seed}, maxAttempts=3`);
console.log(
  `valid results per caller request: ${(validResults / requests).toFixed(3)} (${validResults}/${requests}; ${failures} VALIDATION_FAILED)`,
);
console.log(
  `upstream calls: ${upstreamCalls} (${reasks} re-asks); per valid result: ${(upstreamCalls / validResults).toFixed(3)}`,
);
console.log(
  `re-asks avoided by repair alone: ${repairSaved} (without repair: ${upstreamCalls + repairSaved} calls, ${((upstreamCalls + repairSaved) / validResults).toFixed(3)} per valid result)`,
);
console.log(
  `middleware time per request (scripted upstream, no I/O): first ${coldMs.toFixed(1)} ms (schema compile), then ${((busyMs / Math.max(1, requests - 1)) * 1000).toFixed(1)} µs mean`,
);
console.log("by first-answer kind: kind requests calls valid");
for (const [kind, entry] of rows)
  console.log(
    `  ${kind.padEnd(15)} ${String(entry.requests).padStart(4)} ${String(entry.calls).padStart(5)} ${String(entry.valid).padStart(5)}`,
  );
