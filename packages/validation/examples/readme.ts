import type { ChatRequest, GenerateNext, RequestContext } from "@keel/spec";
import { structuredOutputMiddleware } from "@keel/validation";

const validation = structuredOutputMiddleware({ defaultMaxAttempts: 3 });

const ctx: RequestContext = {
  requestId: "r1",
  tenant: "default",
  operation: "structured",
  deadline: Date.now() + 30_000,
  signal: new AbortController().signal,
  events: { emit: (event) => console.log(event) },
};
// Stands in for the fallback chain below (core folds the middlewares for you): it answers
// with fenced near-JSON, which is repaired without a re-ask.
const next: GenerateNext = async (request) => ({
  id: "g1",
  content: '```json\n{"name": "Ada Lovelace", "born": 1815,}\n```',
  model: request.model,
  provider: "example",
  cache: "miss",
  fallback: { failed: [], answeredBy: "example/gpt-4o-mini" },
  attempts: 1,
  usage: { promptTokens: 40, completionTokens: 12, totalTokens: 52 },
  costUsd: 0.00002,
  latencyMs: 5,
  finishReason: "stop",
  safety: { input: [], output: [] },
});

const request: ChatRequest = {
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Extract the person: Ada Lovelace, born 1815." }],
  structured: {
    name: "person",
    schema: {
      type: "object",
      properties: { name: { type: "string" }, born: { type: "integer" } },
      required: ["name", "born"],
      additionalProperties: false,
    },
    maxAttempts: 3,
    // Checks beyond the schema; their issues drive re-asks like schema errors do.
    validators: [
      (value) => ((value as { born: number }).born > 2100 ? [{ path: "/born", message: "must be a past year" }] : []),
    ],
  },
};
const generation = await validation.wrapGenerate!({ request, ctx, next });
console.log(generation.data); // { name: "Ada Lovelace", born: 1815 }
console.log(generation.content); // {"name":"Ada Lovelace","born":1815} (re-serialised: it was repaired)
console.log(generation.validation); // { valid: true, attempts: 1, repaired: true, history: [...] }
