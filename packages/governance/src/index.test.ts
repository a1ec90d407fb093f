import { describe, expect, it } from "vitest";
import * as governance from "./index.ts";
import { useRedisServer } from "./test-support/redis-fixture.ts";

const redis = useRedisServer();

describe("@keel/governance entry point", () => {
  it("picks Redis when given, memory otherwise, for limits, budgets and keys", async () => {
    const client = redis.client();
    await client.ping();
    const redisOptions = { client, keyPrefix: "entry:" };
    const parts = [
      [governance.createRateLimiter(), "memory"],
      [governance.createRateLimiter({ redis: redisOptions }), "redis"],
      [governance.createBudgetLedger(), "memory"],
      [governance.createBudgetLedger({ redis: redisOptions }), "redis"],
      [governance.createApiKeyStore(), "memory"],
      [governance.createApiKeyStore({ redis: redisOptions }), "redis"],
    ] as const;
    for (const [part, kind] of parts) expect(part.health()).toMatchObject({ ok: true, kind });
    for (const [part] of parts) await part.close();
  });

  it("exports the factories and helpers the services need, and no test support", () => {
    expect(Object.keys(governance).sort()).toEqual(
      [
        "API_KEY_ROLES",
        "MICRO_USD_PER_USD",
        "bearerToken",
        "bootstrapAdminKey",
        "canUseModel",
        "classifyEmbeddings",
        "collapseRepeatedLines",
        "compactWhitespace",
        "costMicroUsd",
        "createApiKeyStore",
        "createBudgetLedger",
        "createEmbeddingClassifier",
        "createMemoryBudgetLedger",
        "createMemoryRateLimiter",
        "createModelSelector",
        "createRateLimiter",
        "createRedisBudgetLedger",
        "createRedisRateLimiter",
        "formatApiKey",
        "formatDuration",
        "generateApiKey",
        "hasRole",
        "maxCostMicroUsd",
        "microUsdToUsd",
        "optimisePrompt",
        "parseApiKey",
        "redactApiKey",
        "requireModel",
        "requireRole",
        "selectionInputOf",
        "usdToMicroUsd",
      ].sort(),
    );
  });
});
