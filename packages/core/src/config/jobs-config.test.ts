import { describe, expect, it } from "vitest";
import { jobQueueKind } from "../jobs/job-queue-setup.ts";
import { batchApiEnabled } from "../pipeline/provider-registry.ts";
import { loadConfig, parseConfig } from "./load-config.ts";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("the jobs section", () => {
  it("has the issue's defaults: in-process without Redis, timeout 300 s, result TTL 3,600 s, a worker in-process", () => {
    const config = loadConfig({});
    expect(config.jobs).toMatchObject({
      queue: "auto",
      worker: true,
      defaults: { timeoutMs: 300_000, resultTtlMs: 3_600_000, attempts: 1 },
      batch: { maxItems: 100, concurrency: 4, tenantConcurrency: 16 },
      deferrable: { windowMs: 2_000, maxGroupSize: 500 },
    });
    expect(jobQueueKind(config)).toBe("in-process");
    expect(config.embeddingBatch).toEqual({ windowMs: 3, maxInputs: 2_048, routes: {} });
  });

  it("uses Redis for jobs as soon as REDIS_URL is set, unless told in-process", () => {
    expect(jobQueueKind(loadConfig({ REDIS_URL: "redis://127.0.0.1:6390" }))).toBe("redis");
    const file = join(mkdtempSync(join(tmpdir(), "keel-jobs-")), "keel.yaml");
    writeFileSync(file, "jobs:\n  queue: in-process\n");
    expect(jobQueueKind(loadConfig({ KEEL_CONFIG: file, REDIS_URL: "redis://127.0.0.1:6390" }))).toBe("in-process");
  });

  it("refuses queue redis without Redis, an unknown embedding route, and a short webhook secret, naming the field", () => {
    expect(() => parseConfig({ jobs: { queue: "redis" } })).toThrow(/jobs\.queue: expected redis\.url/);
    expect(() => parseConfig({ embeddingBatch: { routes: { "text-embedding-3-smal": { windowMs: 0 } } } })).toThrow(
      /embeddingBatch\.routes\.text-embedding-3-smal: unknown embedding model/,
    );
    expect(() =>
      parseConfig({ jobs: { webhooks: { allow: ["https://hooks.example.com"], secret: "short" } } }),
    ).toThrow(/jobs\.webhooks\.secret: expected a string of >= 16 characters/);
    expect(() => parseConfig({ jobs: { concurency: 4 } })).toThrow(
      /jobs\.concurency: unknown field; did you mean "concurrency"\?/,
    );
  });

  it("takes the webhook secret from KEEL_WEBHOOK_SECRET, so it can stay out of the file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "keel-jobs-")), "keel.yaml");
    writeFileSync(file, "jobs:\n  webhooks:\n    allow: [https://hooks.example.com/keel/]\n");
    const config = loadConfig({ KEEL_CONFIG: file, KEEL_WEBHOOK_SECRET: "whsec_from_the_environment" });
    expect(config.jobs.webhooks).toEqual({
      allow: ["https://hooks.example.com/keel/"],
      secret: "whsec_from_the_environment",
    });
  });

  it("turns the batch API on by default for OpenAI and the simulator only", () => {
    expect(batchApiEnabled("openai", { type: "openai", apiKey: "k" })).toBe(true);
    expect(batchApiEnabled("openai", { type: "openai", apiKey: "k", baseURL: "https://api.openai.com/v1" })).toBe(true);
    expect(batchApiEnabled("simulator", { type: "openai", apiKey: "k", baseURL: "http://127.0.0.1:4100/v1" })).toBe(
      true,
    );
    expect(batchApiEnabled("ollama", { type: "openai", apiKey: "k", baseURL: "http://127.0.0.1:11434/v1" })).toBe(
      false,
    );
    expect(batchApiEnabled("openai", { type: "openai", apiKey: "k", batchApi: false })).toBe(false);
  });
});
