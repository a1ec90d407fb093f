import { generateApiKey } from "@keel/governance";
import { countChatTokens } from "@keel/providers";
import { describe, expect, it } from "vitest";
import { freshPrefix, shared, startGoverned } from "./test-support/governed-stack.ts";

/**
 * 100 requests at once, split over a tRPC and a GraphQL instance on one Redis, against a
 * budget that fits 10 requests' maximum cost: the reservations hold, so spend never passes
 * the budget by more than one request's maximum (here it cannot pass at all: every
 * request's actual cost is at most its reservation).
 */
describe("a budget under 100 concurrent requests from two instances", () => {
  it("admits at least ten, refuses the rest with BUDGET_EXCEEDED, and spends no more than the budget plus one request's maximum", async () => {
    const prefix = freshPrefix();
    const adminKey = generateApiKey();
    const trpc = await startGoverned("trpc", { prefix, adminKey });
    const graphql = await startGoverned("graphql", { prefix, adminKey });
    const messages = [{ role: "user", content: "Name one colour." }];
    // solo = gpt-4o alone: 2.5 USD per million prompt tokens, 10 per million completion tokens.
    const maxTokens = 100;
    const maximumMicroUsd = Math.ceil(countChatTokens(messages as never, "gpt-4o") * 2.5 + maxTokens * 10);
    const budgetUsd = (10 * maximumMicroUsd) / 1e6;
    const { key } = await trpc.issue({
      tenant: "acme",
      role: "caller",
      name: "burst",
      budget: { dailyUsd: budgetUsd },
    });

    const request = (index: number) => ({ model: "solo", messages, maxTokens, cache: { mode: "bypass" }, seed: index });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) => (index % 2 ? graphql : trpc).client(key).generate(request(index))),
    );
    const answered = outcomes.filter((outcome) => outcome.ok);
    const refused = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error.code]));
    expect(new Set(refused)).toEqual(new Set(["BUDGET_EXCEEDED"]));
    expect(answered.length).toBeGreaterThanOrEqual(10);
    expect(answered.length).toBe(shared.simulator.stats().calls["gpt-4o"]);
    const spentUsd = answered.reduce((sum, outcome) => sum + (outcome.ok ? (outcome.value.costUsd as number) : 0), 0);
    expect(spentUsd).toBeLessThanOrEqual(budgetUsd + maximumMicroUsd / 1e6);

    const usage = await graphql.client(key).usage();
    if (!usage.ok) throw new Error(usage.error.message);
    const day = (usage.value.budget as { key: { day: { spentUsd: number; reservedUsd: number } } }).key.day;
    expect(day.spentUsd).toBeCloseTo(spentUsd, 6);
    expect(day.reservedUsd).toBe(0);
    expect(day.spentUsd).toBeLessThanOrEqual(budgetUsd + maximumMicroUsd / 1e6);
  });
});
