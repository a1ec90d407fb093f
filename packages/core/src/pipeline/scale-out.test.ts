// Several Keel instances (pipelines with separate memory) on one Redis Cluster: what one
// instance stores, locks and counts, the others see; and a master killed under load costs
// no caller request.
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import type { Generation } from "@keel/spec";
import { startRedisCluster, type RedisClusterHandle } from "@keel/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

let simulator: SimulatorHandle;
let cluster: RedisClusterHandle;
const opened: Pipeline[] = [];
beforeAll(async () => {
  [simulator, cluster] = await Promise.all([startSimulator({ port: 0 }), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(opened.map((pipeline) => pipeline.close()));
  await Promise.all([simulator.close(), cluster.stop()]);
});
beforeEach(() => simulator.reset());

let prefixes = 0;
/**
 * `count` instances of one config on the cluster, each connected before it is handed out;
 * a fresh key prefix unless `keyPrefix` names the instances' whose data to see.
 */
async function instances(count: number, keyPrefix = `scale-${++prefixes}:`): Promise<Pipeline[]> {
  const config = parseConfig({
    providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
    models: { small: { targets: ["sim/gpt-4o-mini"] } },
    defaults: { policy: { retry: false, breaker: false } },
    telemetry: { log: { level: process.env.DEBUG_SCALE ? "warn" : "silent" }, ledger: { flushIntervalMs: 200 } },
    // A generous bound: on a loaded test machine a slow lock command would fail open (a second call).
    redis: { url: cluster.url, keyPrefix, commandTimeoutMs: 1_000 },
  });
  const pipelines = Array.from({ length: count }, () => createPipeline(config));
  opened.push(...pipelines);
  // A store still connecting fails open (a plain miss): wait until each reports healthy.
  await Promise.all(
    pipelines.map(async (pipeline) => {
      const deadline = Date.now() + 10_000;
      while (!(await pipeline.readiness()).checks.cache?.ok) {
        if (Date.now() > deadline) throw new Error("the cache never connected to the cluster");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  return pipelines;
}

const ask = (content: string) => ({ model: "small", temperature: 0, messages: [{ role: "user" as const, content }] });
const calls = () => simulator.stats().calls["gpt-4o-mini"] ?? 0;

describe("two instances on one Redis Cluster", () => {
  it("serve each other's cached answers, on every master", async () => {
    const [first, second] = await instances(2);
    // 24 questions: their entries spread over the three masters.
    const questions = Array.from({ length: 24 }, (_, index) => `Where is city number ${index}?`);
    const stored = await Promise.all(questions.map((question) => first!.generate(ask(question))));
    const served = await Promise.all(questions.map((question) => second!.generate(ask(question))));
    expect(stored.every((answer) => answer.cache === "miss")).toBe(true);
    expect(served.map((answer) => answer.cache)).toEqual(questions.map(() => "exact"));
    expect(served.map((answer) => answer.content)).toEqual(stored.map((answer) => answer.content));
    expect(calls()).toBe(24);
  }, 30_000);

  it("coalesce concurrent identical requests across instances into one upstream call", async () => {
    const [first, second] = await instances(2);
    simulator.setRules([{ latency: { ttftMs: 200 } }]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? first : second)!.generate(ask("One call for both instances")),
      ),
    );
    expect(new Set(answers.map((answer) => answer.content)).size).toBe(1);
    expect(calls()).toBe(1);
  }, 30_000);

  it("sum their usage in one ledger, per tenant, whichever instance served", async () => {
    const [first, second] = await instances(2);
    for (const [pipeline, tenant, count] of [
      [first, "acme", 3],
      [second, "acme", 2],
      [second, "globex", 4],
    ] as const) {
      for (let index = 0; index < count; index++)
        await pipeline!.generate(ask(`${tenant} question ${index} from an instance`), { tenant });
    }
    await Promise.all([first!.close(), second!.close()]); // flushes both ledgers
    const [reader] = await instances(1, first!.config.redis!.keyPrefix);
    const acme = await reader!.usage({}, { tenant: "acme" });
    const globex = await reader!.usage({}, { tenant: "globex" });
    expect(acme.totals.requests).toBe(5);
    expect(globex.totals.requests).toBe(4);
    expect(acme.totals.promptTokens).toBeGreaterThan(0);
  }, 30_000);
});

interface Outcome {
  at: number;
  ok: boolean;
  cache?: Generation["cache"];
  error?: string;
}

describe("a master killed under load", () => {
  it("fails no caller request, and cache hits resume after the replica's promotion", async () => {
    const [first, second] = await instances(2);
    simulator.setRules([{ latency: { ttftMs: 20 } }]);
    // 24 hot questions asked again and again through both instances: hits once warm.
    const hot = Array.from({ length: 24 }, (_, index) => `Hot question number ${index}?`);
    await Promise.all(hot.map((question) => first!.generate(ask(question), { tenant: "acme" })));
    const outcomes: Outcome[] = [];
    let running = true;
    let next = 0;
    const worker = async (pipeline: Pipeline) => {
      while (running) {
        const question = hot[next++ % hot.length]!;
        try {
          const answer = await pipeline.generate(ask(question), { tenant: "acme" });
          outcomes.push({ at: Date.now(), ok: true, cache: answer.cache });
        } catch (error) {
          outcomes.push({ at: Date.now(), ok: false, error: String(error) });
        }
      }
    };
    const workers = [first, second, first, second].map((pipeline) => worker(pipeline!));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // The master that holds the tenant's ledger (and a third of the cache entries).
    const failover = await cluster.killMaster({ key: "{acme}" });
    const healedAt = failover.killedAt + failover.healthyAfterMs;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    running = false;
    await Promise.all(workers);

    const failed = outcomes.filter((outcome) => !outcome.ok);
    expect(failed).toEqual([]);
    const before = outcomes.filter((outcome) => outcome.at < failover.killedAt);
    const during = outcomes.filter((outcome) => outcome.at >= failover.killedAt && outcome.at < healedAt);
    const after = outcomes.filter((outcome) => outcome.at >= healedAt);
    expect(before.filter((outcome) => outcome.cache === "exact").length).toBeGreaterThan(0);
    // Recovery: the first moment after which every answer was a cache hit.
    const lastMiss = outcomes.findLast((outcome) => outcome.cache !== "exact");
    const recoveredAfterMs = Math.max(0, (lastMiss?.at ?? failover.killedAt) - failover.killedAt);
    expect(after.at(-1)?.cache).toBe("exact");
    expect(recoveredAfterMs).toBeLessThan(failover.healthyAfterMs + 2_500);
    // Every hot entry is served from the cache by both instances now, the promoted master's too.
    for (const pipeline of [first!, second!]) {
      const answers = await Promise.all(hot.map((question) => pipeline.generate(ask(question), { tenant: "acme" })));
      expect(answers.map((answer) => answer.cache)).toEqual(hot.map(() => "exact"));
    }

    // The ledger: never counts a request twice; it can lose only sums the dead master had
    // acknowledged but not yet replicated (one flush interval's worth, 200 ms, before the kill).
    await Promise.all([first!.close(), second!.close()]);
    const [reader] = await instances(1, first!.config.redis!.keyPrefix);
    const made = outcomes.length + 3 * hot.length;
    const counted = (await reader!.usage({}, { tenant: "acme" })).totals.requests;
    const lossBound = outcomes.filter(
      (outcome) => outcome.at >= failover.killedAt - 200 && outcome.at < failover.killedAt,
    ).length;
    expect(counted).toBeLessThanOrEqual(made);
    expect(counted).toBeGreaterThanOrEqual(made - lossBound);
    console.info(
      `failover under load: ${outcomes.length} requests (${before.length} before the kill, ${during.length} during the ` +
        `election, ${after.length} after), ${failed.length} failed; replica promoted after ${failover.promotedAfterMs} ms, ` +
        `cluster healthy after ${failover.healthyAfterMs} ms, every answer a hit again ${recoveredAfterMs} ms after the kill; ` +
        `ledger ${counted} of ${made} requests (bound: ${made - lossBound})`,
    );
  }, 60_000);
});
