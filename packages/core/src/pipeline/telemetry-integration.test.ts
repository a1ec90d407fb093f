import { Writable } from "node:stream";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError } from "@keel/spec";
import { createLogger } from "@keel/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

let simulator: SimulatorHandle;
let pipeline: Pipeline;
const lines: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "sk-live-SECRETKEY0123456789" } },
      models: { small: { targets: ["sim/gpt-4o-mini"] } },
      defaults: { policy: { retry: false, breaker: false } },
      telemetry: { log: { logPrompts: true } },
    }),
    { logger: createLogger({ level: "info", destination }) },
  );
});
afterAll(async () => {
  await pipeline.close();
  await simulator.close();
});

describe("telemetry in the pipeline", () => {
  it("keeps a ledger whose totals equal the sum of the envelopes, per tenant", async () => {
    const ask = (content: string) => ({
      model: "small",
      temperature: 0,
      messages: [{ role: "user" as const, content }],
    });
    const acme = await Promise.all(
      ["one", "two", "three"].map((word) => pipeline.generate(ask(`count ${word}`), { tenant: "acme" })),
    );
    const hit = await pipeline.generate(ask("count one"), { tenant: "acme" });
    await pipeline.generate(ask("for another tenant"), { tenant: "globex" });
    const report = await pipeline.usage({}, { tenant: "acme" });
    const sum = (pick: (generation: (typeof acme)[number]) => number) =>
      [...acme, hit].reduce((total, generation) => total + pick(generation), 0);
    expect(report.tenant).toBe("acme");
    expect(report.totals).toMatchObject({
      requests: 4,
      cacheHits: 1,
      totalTokens: sum((generation) => generation.usage.totalTokens),
    });
    expect(report.totals.costUsd).toBeCloseTo(
      sum((generation) => generation.costUsd),
      10,
    );
    expect(report.totals.savedTokens).toBe(acme[0]?.usage.totalTokens);
    expect((await pipeline.usage({}, { tenant: "globex" })).totals.requests).toBe(1);
  });

  it("exposes GenAI and Keel metrics in Prometheus text", async () => {
    const text = await pipeline.metricsText();
    for (const name of [
      "gen_ai_client_operation_duration_seconds_bucket",
      "gen_ai_client_token_usage_bucket",
      "keel_overhead_seconds_bucket",
      "keel_cache_requests_total",
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/gen_ai_request_model="small"/);
    expect(text).not.toContain("acme");
  });

  it("reports a per-tenant snapshot", () => {
    const snapshot = pipeline.metricsSnapshot({ tenant: "acme" });
    expect(snapshot.overall["1m"].requests).toBe(4);
    expect(snapshot.overall["1m"].cacheHits).toBe(1);
    expect(Object.keys(snapshot.tenants)).toEqual(["acme"]);
    expect(snapshot.models["gpt-4o-mini"]?.["1m"].requests).toBe(4);
    const operatorView = pipeline.metricsSnapshot({ all: true });
    expect(Object.keys(operatorView.tenants).sort()).toEqual(expect.arrayContaining(["acme", "globex"]));
    expect(Object.keys(operatorView.models)).toContain("gpt-4o-mini");
  });

  it("writes one sanitized line per request, with no secret and no PII", async () => {
    lines.length = 0;
    await pipeline.generate({
      model: "small",
      messages: [
        {
          role: "user",
          content: "Mail jane.doe@example.com, card 4111 1111 1111 1111, key sk-live-SECRETKEY0123456789",
        },
      ],
    });
    const text = lines.join("\n");
    expect(lines.length).toBe(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ route: "small", operation: "generate", tenant: "default" });
    for (const secret of ["jane.doe@example.com", "4111 1111 1111 1111", "SECRETKEY0123456789"])
      expect(text).not.toContain(secret);
  });
});

describe("an upstream's error text", () => {
  it("reaches the log line only, redacted, and the caller gets Keel's words and the status", async () => {
    simulator.setRules([
      { promptIncludes: "leak", fault: { type: "status", status: 500, message: "db password=hunter2 at 10.0.0.5" } },
    ]);
    lines.length = 0;
    const failure = await pipeline
      .generate({ model: "small", messages: [{ role: "user", content: "leak please" }] }, { service: "trpc" })
      .catch((error: unknown) => error);
    simulator.setRules([]);
    expect(KeelError.isInstance(failure) && failure.toJSON()).toEqual({
      code: "UPSTREAM_UNAVAILABLE",
      message: "sim/gpt-4o-mini: the upstream failed (500)",
      retryable: true,
      details: expect.objectContaining({ target: "sim/gpt-4o-mini", reason: "server-error" }),
    });
    expect(JSON.stringify((failure as KeelError).toJSON())).not.toMatch(/hunter2|10\.0\.0\.5/);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      service: "trpc",
      errorCode: "UPSTREAM_UNAVAILABLE",
      errorMessage: "sim/gpt-4o-mini: the upstream failed (500)",
      upstreamMessage: "500 db password=[REDACTED] at [IP]",
    });
    expect(lines[0]).not.toMatch(/hunter2|10\.0\.0\.5/);
  });
});

describe("streams in the ledger", () => {
  it("records a stream whose consumer stops pulling right after the final event", async () => {
    const before = (await pipeline.usage({}, { tenant: "streamer" })).totals.requests;
    const iterator = pipeline
      .stream({ model: "small", messages: [{ role: "user", content: "stream me" }] }, { tenant: "streamer" })
      [Symbol.asyncIterator]();
    let event = await iterator.next();
    while (!event.done && event.value.type === "delta") event = await iterator.next();
    expect(event.value).toMatchObject({ type: "done" });
    // No further next() or return(): the request must already be recorded.
    expect((await pipeline.usage({}, { tenant: "streamer" })).totals.requests).toBe(before + 1);
  });
});
