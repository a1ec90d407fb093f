import { KeelError, type KeelEvent } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createTelemetry } from "./index.ts";
import {
  captureLines,
  makeContext,
  makeGeneration,
  makeRequest,
  manualClock,
  runScript,
  runStream,
  sampleSum,
  sampleValue,
} from "./test-support/telemetry-fixtures.ts";

const target = "openai/gpt-4o-mini";
const backup = "azure/gpt-4o-mini";

function scriptedTraffic() {
  const clock = manualClock();
  const telemetry = createTelemetry({ now: clock.now, log: { destination: captureLines() }, alerts: false });
  return { clock, telemetry };
}

describe("telemetry metrics after scripted traffic", () => {
  it("counts requests, tokens, cost, cache outcomes, retries, fallbacks, errors and safety actions", async () => {
    const { clock, telemetry } = scriptedTraffic();
    // 1. a plain success: 80 ms upstream, 2 ms of Keel.
    await runScript(
      telemetry,
      {
        events: [
          [0, { type: "upstream-request", target }],
          [
            80,
            {
              type: "upstream-response",
              target,
              durationMs: 80,
              usage: { promptTokens: 12, completionTokens: 30, totalTokens: 42 },
            },
          ],
        ],
        tailMs: 2,
      },
      { clock },
    );
    // 2. one retry after a 503, 50 ms backoff, then success.
    await runScript(
      telemetry,
      {
        events: [
          [0, { type: "upstream-request", target }],
          [100, { type: "upstream-error", target, durationMs: 100, code: "UPSTREAM_UNAVAILABLE", status: 503 }],
          [0, { type: "retry-attempt", target, attempt: 1, delayMs: 50, code: "UPSTREAM_UNAVAILABLE" }],
          [50, { type: "upstream-request", target }],
          [
            200,
            {
              type: "upstream-response",
              target,
              durationMs: 200,
              usage: { promptTokens: 12, completionTokens: 30, totalTokens: 42 },
            },
          ],
        ],
        tailMs: 1,
        generation: makeGeneration({ attempts: 2 }),
      },
      { clock },
    );
    // 3. a fallback, then every target fails.
    const failed = await runScript(
      telemetry,
      {
        events: [
          [0, { type: "upstream-request", target }],
          [30, { type: "upstream-error", target, durationMs: 30, code: "UPSTREAM_TIMEOUT" }],
          [0, { type: "fallback", from: target, to: backup, code: "UPSTREAM_TIMEOUT" }],
          [0, { type: "upstream-request", target: backup }],
          [40, { type: "upstream-error", target: backup, durationMs: 40, code: "UPSTREAM_UNAVAILABLE", status: 502 }],
        ],
        error: { code: "UPSTREAM_UNAVAILABLE", message: "every target failed" },
      },
      { clock },
    );
    expect(KeelError.isInstance(failed) && failed.code).toBe("UPSTREAM_UNAVAILABLE");
    // 4. an exact cache hit.
    await runScript(
      telemetry,
      {
        events: [[1, { type: "cache-hit", kind: "exact", savedTokens: 42, savedUsd: 0.0021 }]],
        generation: makeGeneration({ cache: "exact", attempts: 0 }),
      },
      { clock },
    );
    // 5. a request that joined an identical in-flight one.
    await runScript(
      telemetry,
      {
        events: [
          [0, { type: "cache-miss", kind: "exact" }],
          [1, { type: "cache-coalesced", kind: "exact", savedTokens: 42, savedUsd: 0.0021 }],
        ],
        generation: makeGeneration({ attempts: 0 }),
      },
      { clock },
    );
    // 6. input safety blocks.
    await runScript(
      telemetry,
      {
        events: [
          [
            0,
            {
              type: "safety-finding",
              stage: "input",
              detector: "pii",
              scanner: "pii-email",
              kind: "EMAIL",
              action: "block",
            },
          ],
        ],
        error: { code: "CONTENT_BLOCKED", message: "blocked" },
      },
      { clock },
    );
    // 7. a stream: first chunk after 50 ms, two more 10 ms apart.
    await runStream(telemetry, { clock, chunks: ["a", "b", "c"], firstChunkMs: 50, gapMs: 10 });

    const text = await telemetry.metricsText();
    expect(
      sampleValue(text, "keel_requests_total", { operation: "generate", outcome: "success", model: "gpt-4o-mini" }),
    ).toBe(4);
    expect(sampleValue(text, "keel_requests_total", { operation: "generate", outcome: "error" })).toBe(2);
    expect(sampleValue(text, "keel_requests_total", { operation: "stream", outcome: "success" })).toBe(1);
    expect(sampleSum(text, "gen_ai_client_operation_duration_seconds_count")).toBe(7);
    // Request 1 took 82 ms: in the 0.16 s bucket, not the 0.08 s one.
    expect(
      sampleValue(text, "gen_ai_client_operation_duration_seconds_bucket", {
        gen_ai_operation_name: "chat",
        le: "0.08",
      }),
    ).toBe(3);
    expect(
      sampleValue(text, "gen_ai_client_operation_duration_seconds_bucket", {
        error_type: "UPSTREAM_UNAVAILABLE",
        le: "0.08",
      }),
    ).toBe(1);
    expect(
      sampleValue(text, "gen_ai_client_token_usage_sum", {
        gen_ai_token_type: "input",
        gen_ai_operation_name: "chat",
        gen_ai_response_model: "gpt-4o-mini",
      }),
    ).toBe(36);
    expect(sampleSum(text, "gen_ai_client_token_usage_sum", { gen_ai_token_type: "output" })).toBe(90);
    expect(sampleValue(text, "gen_ai_client_token_usage_bucket", { gen_ai_token_type: "output", le: "16" })).toBe(0);
    expect(sampleValue(text, "gen_ai_client_token_usage_bucket", { gen_ai_token_type: "output", le: "64" })).toBe(3);
    expect(sampleSum(text, "keel_cost_usd_total")).toBeCloseTo(0.0063, 10);
    expect(sampleValue(text, "keel_cache_requests_total", { outcome: "exact" })).toBe(1);
    expect(sampleValue(text, "keel_cache_requests_total", { outcome: "coalesced" })).toBe(1);
    expect(sampleValue(text, "keel_cache_saved_usd_total")).toBeCloseTo(0.0042, 10);
    expect(sampleValue(text, "keel_coalesced_total", { kind: "exact" })).toBe(1);
    expect(sampleValue(text, "keel_retries_total", { target })).toBe(1);
    expect(sampleValue(text, "keel_fallbacks_total", { from: target, to: backup, code: "UPSTREAM_TIMEOUT" })).toBe(1);
    expect(sampleValue(text, "keel_errors_total", { code: "UPSTREAM_UNAVAILABLE" })).toBe(1);
    expect(sampleValue(text, "keel_errors_total", { code: "CONTENT_BLOCKED" })).toBe(1);
    expect(
      sampleValue(text, "keel_safety_actions_total", { stage: "input", scanner: "pii-email", action: "block" }),
    ).toBe(1);
    expect(
      sampleValue(text, "keel_safety_findings_total", {
        stage: "input",
        detector: "pii",
        kind: "EMAIL",
        action: "block",
      }),
    ).toBe(1);
    expect(sampleValue(text, "keel_upstream_duration_seconds_count", { target, outcome: "error" })).toBe(2);
    expect(sampleValue(text, "keel_upstream_duration_seconds_count", { target: backup, outcome: "error" })).toBe(1);
    expect(sampleValue(text, "keel_upstream_duration_seconds_count", { target, outcome: "success" })).toBe(3);
    // Streams only: time to first chunk (50 ms) and the two gaps after it.
    expect(sampleSum(text, "gen_ai_client_operation_time_to_first_chunk_seconds_count")).toBe(1);
    expect(sampleValue(text, "gen_ai_client_operation_time_to_first_chunk_seconds_bucket", { le: "0.04" })).toBe(0);
    expect(sampleValue(text, "gen_ai_client_operation_time_to_first_chunk_seconds_bucket", { le: "0.08" })).toBe(1);
    expect(sampleValue(text, "gen_ai_client_operation_time_per_output_chunk_seconds_count")).toBe(2);
    // Never a request id or a tenant label by default.
    expect(text).not.toMatch(/req-\d+/);
    expect(text).not.toContain('tenant="');
    await telemetry.close();
  });

  it("counts review items by state and the time to decision, from request and pipeline events", async () => {
    const clock = manualClock();
    const telemetry = createTelemetry({ now: clock.now, log: { destination: captureLines() }, alerts: false });
    // Two answers held for review (request events), then decisions from the reviewer side (pipeline events).
    for (const detector of ["toxicity", "claims"]) {
      await runScript(
        telemetry,
        {
          events: [
            [0, { type: "safety-finding", stage: "output", detector, scanner: detector, kind: "X", action: "review" }],
            [0, { type: "review-created", route: "support", detector, mode: "hold" }],
          ],
          generation: makeGeneration(),
        },
        { clock },
      );
    }
    telemetry.events.emit({
      type: "review-decided",
      route: "support",
      decision: "approved",
      mode: "hold",
      timeToDecisionMs: 45_000,
    });
    const text = await telemetry.metricsText();
    expect(sampleValue(text, "keel_review_items", { state: "pending" })).toBe(1);
    expect(sampleValue(text, "keel_review_items", { state: "approved" })).toBe(1);
    expect(sampleValue(text, "keel_review_decision_seconds_count", { decision: "approved" })).toBe(1);
    expect(sampleValue(text, "keel_review_decision_seconds_bucket", { decision: "approved", le: "30" })).toBe(0);
    expect(sampleValue(text, "keel_review_decision_seconds_bucket", { decision: "approved", le: "60" })).toBe(1);
    expect(
      sampleValue(text, "keel_safety_findings_total", {
        stage: "output",
        detector: "claims",
        kind: "X",
        action: "review",
      }),
    ).toBe(1);
    await telemetry.close();
  });

  it("records Keel's own overhead as total minus upstream time and retry backoff", async () => {
    const { clock, telemetry } = scriptedTraffic();
    // 80 ms upstream + 2 ms Keel; 300 ms upstream + 50 ms backoff + 1 ms Keel; 0.5 ms Keel with no upstream.
    await runScript(
      telemetry,
      {
        events: [
          [
            80,
            {
              type: "upstream-response",
              target,
              durationMs: 80,
              usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
            },
          ],
        ],
        tailMs: 2,
      },
      { clock },
    );
    await runScript(
      telemetry,
      {
        events: [
          [100, { type: "upstream-error", target, durationMs: 100, code: "UPSTREAM_UNAVAILABLE" }],
          [0, { type: "retry-attempt", target, attempt: 1, delayMs: 50, code: "UPSTREAM_UNAVAILABLE" }],
          [
            250,
            {
              type: "upstream-response",
              target,
              durationMs: 200,
              usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
            },
          ],
        ],
        tailMs: 1,
      },
      { clock },
    );
    await runScript(telemetry, { tailMs: 0.5, generation: makeGeneration({ cache: "exact" }) }, { clock });
    const text = await telemetry.metricsText();
    expect(sampleValue(text, "keel_overhead_seconds_count", { operation: "generate" })).toBe(3);
    expect(sampleValue(text, "keel_overhead_seconds_sum", { operation: "generate" })).toBeCloseTo(0.0035, 9);
    expect(sampleValue(text, "keel_overhead_seconds_bucket", { le: "0.0005" })).toBe(1);
    expect(sampleValue(text, "keel_overhead_seconds_bucket", { le: "0.001" })).toBe(2);
    expect(sampleValue(text, "keel_overhead_seconds_bucket", { le: "0.0025" })).toBe(3);
    await telemetry.close();
  });

  it("tees events to the outer sink and passes results and errors through untouched", async () => {
    const telemetry = createTelemetry({ log: { destination: captureLines() }, alerts: false });
    const outer: KeelEvent[] = [];
    const middleware = telemetry.middleware();
    const generation = makeGeneration();
    const ctx = makeContext({ events: { emit: (event) => outer.push(event) } });
    const result = await middleware.wrapGenerate!({
      request: makeRequest(),
      ctx,
      next: async (_request, inner) => {
        expect(inner.events).not.toBe(ctx.events);
        expect(inner.requestId).toBe(ctx.requestId);
        inner.events.emit({ type: "upstream-request", target });
        return generation;
      },
    });
    expect(result).toBe(generation);
    expect(outer).toEqual([{ type: "upstream-request", target }]);
    const thrown = new KeelError("UPSTREAM_TIMEOUT", "slow");
    await expect(
      middleware.wrapGenerate!({
        request: makeRequest(),
        ctx: makeContext(),
        next: async () => Promise.reject(thrown),
      }),
    ).rejects.toBe(thrown);
    // A sink that throws must not break the request.
    const angry = makeContext({
      events: {
        emit: () => {
          throw new Error("sink broke");
        },
      },
    });
    await expect(
      middleware.wrapGenerate!({
        request: makeRequest(),
        ctx: angry,
        next: async (_request, inner) => {
          inner.events.emit({ type: "upstream-request", target });
          return generation;
        },
      }),
    ).resolves.toBe(generation);
    await telemetry.close();
  });

  it("shows breaker state per target from pipeline events and from a live source", async () => {
    const telemetry = createTelemetry({ log: { destination: captureLines() }, alerts: false });
    telemetry.events.emit({ type: "circuit-open", target });
    let text = await telemetry.metricsText();
    expect(sampleValue(text, "keel_circuit_state", { target })).toBe(2);
    telemetry.events.emit({ type: "circuit-half-open", target });
    telemetry.setBreakerStates(() => ({ [backup]: "open" }));
    text = await telemetry.metricsText();
    expect(sampleValue(text, "keel_circuit_state", { target })).toBe(1);
    expect(sampleValue(text, "keel_circuit_state", { target: backup })).toBe(2);
    expect(telemetry.snapshot().breakers).toEqual({ [target]: "half-open", [backup]: "open" });
    expect(telemetry.metricsContentType).toContain("text/plain");
    await telemetry.close();
  });

  it("bounds label values: caller-chosen model names past the limit become _OTHER", async () => {
    const telemetry = createTelemetry({
      log: { destination: captureLines() },
      alerts: false,
      metrics: { maxLabelValues: 3 },
    });
    for (let index = 0; index < 10; index++)
      await runScript(
        telemetry,
        { generation: makeGeneration({ model: "m" }) },
        { request: makeRequest({ model: `route-${index}` }) },
      );
    const text = await telemetry.metricsText();
    const models = new Set([...text.matchAll(/keel_requests_total\{[^}]*model="([^"]+)"/g)].map((match) => match[1]));
    expect(models.size).toBeLessThanOrEqual(4);
    // The limit is shared by request and response models: route-0, "m" (the answering model) and route-1 fill it.
    expect(sampleValue(text, "keel_requests_total", { model: "_OTHER" })).toBe(8);
    await telemetry.close();
  });

  it("adds a tenant label only for configured tenants", async () => {
    const telemetry = createTelemetry({
      log: { destination: captureLines() },
      alerts: false,
      metrics: { tenantLabels: ["acme"] },
    });
    await runScript(telemetry, {}, { ctx: { tenant: "acme" } });
    await runScript(telemetry, {}, { ctx: { tenant: "user-12345" } });
    const text = await telemetry.metricsText();
    expect(sampleValue(text, "keel_requests_total", { tenant: "acme" })).toBe(1);
    expect(sampleValue(text, "keel_requests_total", { tenant: "_OTHER" })).toBe(1);
    expect(text).not.toContain("user-12345");
    await telemetry.close();
  });
});

describe("telemetry for embeddings", () => {
  it("records embeddings as gen_ai.operation.name embeddings with input tokens only", async () => {
    const lines = captureLines();
    const telemetry = createTelemetry({ log: { destination: lines }, alerts: false });
    const result = {
      model: "text-embedding-3-small",
      provider: "openai",
      vectors: [[0.1, 0.2]],
      usage: { promptTokens: 8, totalTokens: 8 },
      cached: false,
    };
    await telemetry.middleware().wrapEmbed!({
      request: { model: "text-embedding-3-small", input: ["hello"] },
      ctx: makeContext({ operation: "embed" }),
      next: async () => result,
    });
    const text = await telemetry.metricsText();
    expect(
      sampleValue(text, "gen_ai_client_token_usage_sum", {
        gen_ai_operation_name: "embeddings",
        gen_ai_token_type: "input",
      }),
    ).toBe(8);
    expect(sampleValue(text, "keel_requests_total", { operation: "embed", outcome: "success" })).toBe(1);
    expect(lines.records()[0]).toMatchObject({
      operation: "embed",
      model: "text-embedding-3-small",
      tokens: { input: 8, output: 0 },
    });
    await telemetry.close();
  });
});

describe("telemetry for streams the caller leaves", () => {
  it("records a stream that ends without done or error as cancelled, with +Inf buckets equal to counts", async () => {
    const lines = captureLines();
    const telemetry = createTelemetry({ log: { destination: lines }, alerts: false });
    const stream = telemetry.middleware().wrapStream!({
      request: makeRequest(),
      ctx: makeContext({ operation: "stream" }),
      async *next() {
        yield { type: "delta", content: "a" };
        yield { type: "delta", content: "b" };
      },
    });
    for await (const event of stream) {
      expect(event).toEqual({ type: "delta", content: "a" });
      break;
    }
    const text = await telemetry.metricsText();
    expect(sampleValue(text, "keel_requests_total", { operation: "stream", outcome: "cancelled" })).toBe(1);
    expect(
      sampleValue(text, "gen_ai_client_operation_duration_seconds_bucket", { error_type: "cancelled", le: "+Inf" }),
    ).toBe(sampleValue(text, "gen_ai_client_operation_duration_seconds_count", { error_type: "cancelled" }));
    expect(lines.records()[0]).toMatchObject({ operation: "stream", outcome: "cancelled" });
    await telemetry.close();
  });
});
