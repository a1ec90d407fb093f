// The governance parts in one request's life, in memory (no Redis needed).
// Run: pnpm --filter @keel/governance example
import { KeelError } from "@keel/spec";
import {
  bearerToken,
  costMicroUsd,
  createApiKeyStore,
  createMemoryBudgetLedger,
  createMemoryRateLimiter,
  createModelSelector,
  maxCostMicroUsd,
  optimisePrompt,
  requireModel,
} from "@keel/governance";

const keys = createApiKeyStore(); // { redis: { url } } or { dataDir } in a service
const limiter = createMemoryRateLimiter({ onEvent: (event) => console.log("event", event) });
const budgets = createMemoryBudgetLedger({ onEvent: (event) => console.log("event", event) });
const selector = createModelSelector({
  candidates: [
    { target: "openai/gpt-4o-mini", contextWindow: 128_000, price: { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
    { target: "openai/gpt-4o", contextWindow: 128_000, price: { inputPerMillion: 2.5, outputPerMillion: 10 } },
  ],
  rules: [{ name: "tools", when: { hasTools: true }, targets: ["openai/gpt-4o"] }],
  escalation: "openai/gpt-4o",
});

// An operator issues a key; the secret is shown once.
const { key, record } = await keys.create({
  tenant: "acme",
  role: "caller",
  name: "support bot",
  limits: { requestsPerMinute: 2, tokensPerMinute: 10_000, concurrency: 1 },
  budget: { dailyUsd: 0.01 },
});

async function handle(authorization: string, content: string) {
  const caller = await keys.verify(bearerToken(authorization)); // UNAUTHENTICATED on any bad key
  requireModel(caller, "support"); // FORBIDDEN unless allowed
  // A rough stand-in for providers' countChatTokens: a token per 4 characters, 4 per message, 3 for the reply.
  const countTokens = (messages: { content: string }[]) =>
    messages.reduce((sum, message) => sum + 4 + Math.ceil(message.content.length / 4), 3);
  const prompt = optimisePrompt(
    [{ role: "user", content }],
    { compactWhitespace: true, maxPromptTokens: 1_000 },
    countTokens,
  );
  const maxTokens = 200;
  const admission = await limiter.admit({
    tenant: caller.tenant,
    key: { id: caller.id, limits: caller.limits },
    tokens: prompt.promptTokensAfter + maxTokens,
  });
  console.log("headers", admission.headers);
  if (!admission.admitted) throw admission.error; // RATE_LIMITED, with retryAfterMs
  try {
    const selection = selector.select({
      promptTokens: prompt.promptTokensAfter,
      maxTokens,
      hasTools: false,
      hasResponseSchema: false,
    });
    const price = { inputPerMillion: 0.15, outputPerMillion: 0.6 };
    const reservation = await budgets.reserve({
      tenant: caller.tenant,
      key: { id: caller.id, budget: caller.budget },
      maxCostMicroUsd: maxCostMicroUsd({ promptTokens: prompt.promptTokensAfter, maxTokens, price }),
    });
    const usage = { promptTokens: prompt.promptTokensAfter, completionTokens: 120 }; // ... the model call goes here
    await budgets.settle(reservation, costMicroUsd({ ...usage, price }));
    return { target: selection.target, rule: selection.rule, promptTokensSaved: prompt.promptTokensSaved };
  } finally {
    await admission.lease.release({ actualTokens: prompt.promptTokensAfter + 120 });
  }
}

console.log(await handle(`Bearer ${key}`, "Where   is   my   order?"));
console.log(await handle(`Bearer ${key}`, "And the invoice?"));
for (const authorization of [`Bearer ${key}`, "Bearer keel_forged"]) {
  try {
    await handle(authorization, "A third request within the minute");
  } catch (error) {
    if (!KeelError.isInstance(error)) throw error;
    console.log("refused", error.code, error.message, error.details);
  }
}
const status = await budgets.status({ tenant: "acme", key: { id: record.id, budget: record.budget } });
console.log("key's budget today", status.key?.day);
await Promise.all([keys.close(), limiter.close(), budgets.close()]);
