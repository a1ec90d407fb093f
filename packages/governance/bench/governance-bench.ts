// Latency of the governance hot path on this machine: key verification, one admission
// (key + tenant scopes: requests, tokens and concurrency) and a budget reservation, in
// memory and on a real redis-server (started here through @keel/testkit). Sequential
// calls, so each figure is one call's latency: p50 / p99 / mean in microseconds.
// Run: pnpm --filter @keel/governance bench   (ITERATIONS=20000 to change the count)
import { startRedisServer } from "@keel/testkit";
import { Redis } from "ioredis";
import {
  createApiKeyStore,
  createMemoryBudgetLedger,
  createMemoryRateLimiter,
  createRedisBudgetLedger,
  createRedisRateLimiter,
  type ApiKeyStore,
  type BudgetLedger,
  type RateLimiter,
} from "../src/index.ts";

const iterations = Number(process.env.ITERATIONS ?? 10_000);
const warmup = Math.min(1_000, Math.floor(iterations / 10));
const limits = { requestsPerMinute: 1_000_000_000, tokensPerMinute: 1_000_000_000, concurrency: 1_000 };
const budget = { dailyUsd: 1_000_000, monthlyUsd: 10_000_000 };

interface Row {
  name: string;
  p50: number;
  p99: number;
  mean: number;
}

async function measure(name: string, call: () => Promise<unknown>): Promise<Row> {
  for (let index = 0; index < warmup; index++) await call();
  const samples = new Float64Array(iterations);
  for (let index = 0; index < iterations; index++) {
    const started = process.hrtime.bigint();
    await call();
    samples[index] = Number(process.hrtime.bigint() - started) / 1_000;
  }
  samples.sort();
  const at = (quantile: number) =>
    samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))] as number;
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return { name, p50: at(0.5), p99: at(0.99), mean };
}

async function suite(
  label: string,
  parts: { store: ApiKeyStore; limiter: RateLimiter; ledger: BudgetLedger },
): Promise<Row[]> {
  const issued = await parts.store.create({ tenant: "bench", role: "caller", name: "bench", limits });
  const rows: Row[] = [];
  rows.push(await measure(`${label}: verify key (record cached)`, () => parts.store.verify(issued.key)));
  const admit = () =>
    parts.limiter.admit({ tenant: "bench", tenantLimits: limits, key: { id: issued.record.id, limits }, tokens: 500 });
  rows.push(
    await measure(`${label}: admit (key+tenant, 3 kinds)`, async () => {
      const admission = await admit();
      if (admission.admitted) void admission.lease.release({ actualTokens: 400 });
    }),
  );
  rows.push(
    await measure(`${label}: admit + release awaited`, async () => {
      const admission = await admit();
      if (admission.admitted) await admission.lease.release({ actualTokens: 400 });
    }),
  );
  rows.push(
    await measure(`${label}: verify + admit (per request)`, async () => {
      const key = await parts.store.verify(issued.key);
      const admission = await parts.limiter.admit({
        tenant: key.tenant,
        tenantLimits: limits,
        key: { id: key.id, limits: key.limits },
        tokens: 500,
      });
      if (admission.admitted) void admission.lease.release({ actualTokens: 400 });
    }),
  );
  rows.push(
    await measure(`${label}: budget reserve + settle awaited`, async () => {
      const reservation = await parts.ledger.reserve({
        tenant: "bench",
        tenantBudget: budget,
        key: { id: issued.record.id, budget },
        maxCostMicroUsd: 900,
      });
      await parts.ledger.settle(reservation, 450);
    }),
  );
  return rows;
}

const server = await startRedisServer();
try {
  const rows: Row[] = [];
  rows.push(
    ...(await suite("memory", {
      store: createApiKeyStore(),
      limiter: createMemoryRateLimiter(),
      ledger: createMemoryBudgetLedger(),
    })),
  );
  const clients = [new Redis(server.url), new Redis(server.url), new Redis(server.url)];
  const redisParts = {
    store: createApiKeyStore({ redis: { client: clients[0] as Redis, keyPrefix: "bench:" } }),
    limiter: createRedisRateLimiter({ redis: { client: clients[1] as Redis, keyPrefix: "bench:" } }),
    ledger: createRedisBudgetLedger({ redis: { client: clients[2] as Redis, keyPrefix: "bench:" } }),
  };
  rows.push(...(await suite("redis", redisParts)));
  const uncached = createApiKeyStore({ redis: { client: clients[0] as Redis, keyPrefix: "bench:" }, verifyCacheMs: 0 });
  const issued = await uncached.create({ tenant: "bench", role: "caller", name: "uncached" });
  rows.push(await measure("redis: verify key (store read each call)", () => uncached.verify(issued.key)));
  for (const client of clients) client.disconnect();

  const width = Math.max(...rows.map((row) => row.name.length));
  console.log(`governance hot path, ${iterations} sequential calls each (µs; the machine may be shared)`);
  console.log(`${"".padEnd(width)}      p50      p99     mean`);
  for (const row of rows) {
    const cell = (value: number) => value.toFixed(1).padStart(9);
    console.log(`${row.name.padEnd(width)}${cell(row.p50)}${cell(row.p99)}${cell(row.mean)}`);
  }
} finally {
  await server.stop();
}
