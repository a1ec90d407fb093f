import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError } from "@keel/spec";
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";

let simulator: SimulatorHandle;
let redis: RedisServerHandle;
const pipelines: Pipeline[] = [];
beforeAll(async () => {
  [simulator, redis] = await Promise.all([startSimulator({ port: 0 }), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([simulator.close(), redis.stop()]);
});
beforeEach(() => simulator.reset());
let killed = false;
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((pipeline) => pipeline.close()));
  if (killed) await redis.start(); // a test that killed it brings it back for the next
  killed = false;
});

let prefixes = 0;
/** Pipelines on one Redis (as instances would be), each connected before it is used. */
async function instances(count: number, overrides: Partial<KeelConfigInput> = {}): Promise<Pipeline[]> {
  const keyPrefix = `governance-${++prefixes}:`;
  const created = Array.from({ length: count }, () => {
    const pipeline = createPipeline(
      parseConfig({
        providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
        models: { small: { targets: ["sim/gpt-4o-mini"] } },
        defaults: { policy: { retry: false, breaker: false } },
        telemetry: { log: { level: "silent" } },
        redis: { url: redis.url, keyPrefix, commandTimeoutMs: 500, required: false },
        tenants: { acme: { limits: { requestsPerMinute: 3 } } },
        ...overrides,
      }),
    );
    pipelines.push(pipeline);
    return pipeline;
  });
  for (const pipeline of created) expect(await pipeline.governance.ready()).toBe(true);
  return created;
}

const ask = (content: string) => ({
  model: "small",
  cache: { mode: "bypass" as const },
  messages: [{ role: "user" as const, content }],
});
const acme = { principal: { keyId: "abcdefghijk1", tenant: "acme", role: "caller" as const } };

async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "ok",
    (error: unknown) => (KeelError.isInstance(error) ? error.code : String(error)),
  );
}

describe("limits on Redis", () => {
  it("are shared by two instances: a burst across both admits no more than the limit", async () => {
    const [first, second] = (await instances(2)) as [Pipeline, Pipeline];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        outcome((index % 2 ? first : second).generate(ask(`burst ${index}`), acme)),
      ),
    );
    expect(results.filter((result) => result === "ok")).toHaveLength(3);
    expect(results.filter((result) => result === "RATE_LIMITED")).toHaveLength(7);
    expect(simulator.stats().totalCalls).toBe(3);
  });

  it("fail open while Redis is down (admitted, and counted), or closed when the config says so", async () => {
    const [open] = (await instances(1)) as [Pipeline];
    const [closed] = (await instances(1, { governance: { failMode: "closed" } })) as [Pipeline];
    await open.generate(ask("before"), acme);
    await redis.kill();
    killed = true;
    for (let request = 0; request < 5; request++)
      expect(await outcome(open.generate(ask(`down ${request}`), acme))).toBe("ok");
    expect(await open.metricsText()).toMatch(
      /keel_governance_unavailable_total\{part="rate-limiter",fail_mode="open"\} 5/,
    );
    const refused = await closed.generate(ask("closed"), acme).catch((error: unknown) => error as KeelError);
    expect(refused).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", details: { reason: "rate-limiter-unavailable" } });
  });
});
