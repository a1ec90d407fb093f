import {
  createMemoryReviewStore,
  createPolicyResolver,
  createReviewQueue,
  inputSafetyMiddleware,
  outputSafetyMiddleware,
} from "@keel/safety";
import type { ChatRequest, Generation, Model, RequestContext } from "@keel/spec";

// Per route: the defaults (identifiers redacted, ...) plus, on "support", toxic answers held for review.
const policyFor = createPolicyResolver({
  routes: { support: { output: { toxicity: { action: "review" } }, review: { ttlSeconds: 3600 } } },
});
const review = createReviewQueue({ store: createMemoryReviewStore() });
const input = inputSafetyMiddleware({ policyFor, review });
const output = outputSafetyMiddleware({ policyFor });

// Stands in for the rest of the pipeline (core folds the stages around caches and providers).
const answer = (request: ChatRequest, content: string): Generation => ({
  id: "g1",
  content,
  model: request.model,
  provider: "example",
  cache: "miss",
  fallback: { failed: [], answeredBy: "example/model" },
  attempts: 1,
  usage: { promptTokens: 20, completionTokens: 12, totalTokens: 32 },
  costUsd: 0,
  latencyMs: 1,
  finishReason: "stop",
  safety: { input: [], output: [] },
});
const model: Model = {
  async generate(request) {
    const said = request.messages.at(-1)?.content ?? "";
    console.log("the model sees:", said);
    if (said.includes("rude")) return answer(request, "You are a worthless idiot, and nobody wants your questions.");
    return answer(request, `I will write to ${/\[EMAIL_\d+\]/.exec(said)?.[0]} today.`);
  },
  async *stream() {},
};
const ctx: RequestContext = {
  requestId: "r1",
  tenant: "acme",
  operation: "generate",
  deadline: Date.now() + 30_000,
  signal: new AbortController().signal,
  events: { emit() {} },
};
const run = (request: ChatRequest) =>
  input.wrapGenerate!({
    request,
    ctx,
    next: (inner, innerCtx) => output.wrapGenerate!({ request: inner, ctx: innerCtx, next: model.generate }),
  });

const redacted = await run({ model: "chat", messages: [{ role: "user", content: "Mail ana@example.com" }] });
console.log(
  redacted.content,
  redacted.safety.input.map((finding) => `${finding.kind}:${finding.action}`),
);

const held = await run({ model: "support", messages: [{ role: "user", content: "Be rude to me" }] });
console.log(held.review, JSON.stringify(held.content));
await review.approve("acme", held.review!.id, { reviewer: "rita" });
console.log((await review.getDecision("acme", held.review!.id)).review?.state);
await review.close();
