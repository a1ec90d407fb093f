import { describe, expect, it } from "vitest";
import { createLogger, createTelemetry } from "./index.ts";
import {
  captureLines,
  makeGeneration,
  makeRequest,
  manualClock,
  runScript,
} from "./test-support/telemetry-fixtures.ts";

const SECRETS = ["sk-live-abcdef1234567890XYZ", "Bearer eyJhbGciOiJIUzI1NiJ9.secret.token", "AKIAABCDEFGHIJKLMNOP"];
const PII = ["jane.doe@example.com", "+1 (415) 555-0132", "4111 1111 1111 1111", "123-45-6789"];
const planted = `Email jane.doe@example.com or call +1 (415) 555-0132. Card 4111 1111 1111 1111, SSN 123-45-6789. Key sk-live-abcdef1234567890XYZ`;

function expectClean(output: string): void {
  for (const value of [...SECRETS, ...PII]) expect(output).not.toContain(value);
  // Pieces of them too: the card's digits and the key's body.
  expect(output).not.toContain("4111");
  expect(output).not.toContain("abcdef1234567890");
}

describe("request log lines", () => {
  it("write one line per request with the request's facts and no prompt or answer by default", async () => {
    const clock = manualClock();
    const lines = captureLines();
    const telemetry = createTelemetry({ now: clock.now, log: { destination: lines }, alerts: false });
    await runScript(
      telemetry,
      {
        events: [
          [0, { type: "upstream-request", target: "openai/gpt-4o" }],
          [
            20,
            {
              type: "upstream-error",
              target: "openai/gpt-4o",
              durationMs: 20,
              code: "UPSTREAM_RATE_LIMITED",
              status: 429,
            },
          ],
          [0, { type: "fallback", from: "openai/gpt-4o", to: "openai/gpt-4o-mini", code: "UPSTREAM_RATE_LIMITED" }],
          [0, { type: "upstream-request", target: "openai/gpt-4o-mini" }],
          [
            60,
            {
              type: "upstream-response",
              target: "openai/gpt-4o-mini",
              durationMs: 60,
              usage: { promptTokens: 12, completionTokens: 30, totalTokens: 42 },
              ttftMs: 15,
            },
          ],
          [
            0,
            {
              type: "safety-finding",
              stage: "output",
              detector: "pii",
              scanner: "pii-email",
              kind: "EMAIL",
              action: "redact",
            },
          ],
          [0, { type: "review-created", route: "smart", detector: "pii", mode: "flag" }],
          [0, { type: "validation-attempt", attempt: 1, valid: true, repaired: false, errorCount: 0 }],
        ],
        tailMs: 3,
        generation: makeGeneration({
          content: planted,
          attempts: 2,
          fallback: {
            failed: [{ target: "openai/gpt-4o", code: "UPSTREAM_RATE_LIMITED", message: "429" }],
            answeredBy: "openai/gpt-4o-mini",
          },
        }),
      },
      {
        clock,
        request: makeRequest({ model: "smart", messages: [{ role: "user", content: planted }] }),
        ctx: { requestId: "req-abc", tenant: "acme" },
      },
    );
    const [line] = lines.records();
    expect(lines.lines).toHaveLength(1);
    expect(line).toMatchObject({
      msg: "request",
      service: "keel",
      requestId: "req-abc",
      tenant: "acme",
      route: "smart",
      operation: "generate",
      model: "gpt-4o-mini",
      provider: "openai",
      outcome: "success",
      attempts: 2,
      retries: 0,
      fallback: ["openai/gpt-4o (UPSTREAM_RATE_LIMITED)"],
      latencyMs: 83,
      upstreamMs: 80,
      overheadMs: 3,
      upstreamTtftMs: 15,
      tokens: { input: 12, output: 30 },
      costUsd: 0.0021,
      safety: ["output:pii:EMAIL:redact"],
      review: "flag",
      validation: { valid: true, attempts: 1, repaired: false },
    });
    expect(line).not.toHaveProperty("prompt");
    expect(line).not.toHaveProperty("answer");
    expectClean(lines.lines.join("\n"));
    await telemetry.close();
  });

  it("never log planted secrets or personal data, from requests, answers or error messages, even with prompt logging on", async () => {
    const lines = captureLines();
    const telemetry = createTelemetry({
      log: { destination: lines, logPrompts: true, maxPromptChars: 400 },
      alerts: false,
    });
    const request = makeRequest({
      messages: [
        { role: "system", content: `Use api_key=${SECRETS[0]}` },
        { role: "user", content: planted },
      ],
    });
    await runScript(telemetry, { generation: makeGeneration({ content: `Sure, ${planted}` }) }, { request });
    await runScript(
      telemetry,
      {
        error: {
          code: "UPSTREAM_UNAVAILABLE",
          message: `upstream said: Incorrect API key provided: ${SECRETS[0]}; Authorization: ${SECRETS[1]}; user ${PII[0]}`,
        },
      },
      { request },
    );
    // Anything else logged through the same logger: secret fields are redacted by key at any depth.
    telemetry.logger.info(
      {
        apiKey: SECRETS[0],
        headers: { authorization: SECRETS[1] },
        provider: { options: { apiKey: SECRETS[2] } },
        nested: { deeper: { still: { apiKey: SECRETS[0] } } },
      },
      "config",
    );
    const output = lines.lines.join("\n");
    expectClean(output);
    const [success, failure, config] = lines.records();
    expect(String(success!.prompt)).toContain("[EMAIL]");
    expect(String(success!.prompt)).toContain("[REDACTED]");
    expect(String(success!.answer)).toContain("[CARD]");
    expect(failure).toMatchObject({ level: 40, errorCode: "UPSTREAM_UNAVAILABLE", outcome: "error" });
    expect(String(failure!.errorMessage)).toContain("[API_KEY]");
    expect(config).toMatchObject({
      apiKey: "[REDACTED]",
      headers: { authorization: "[REDACTED]" },
      provider: { options: { apiKey: "[REDACTED]" } },
    });
    await telemetry.close();
  });

  it("name the service a request came through (two services on one pipeline), with one `service` key", async () => {
    const lines = captureLines();
    const telemetry = createTelemetry({ serviceName: "keel", log: { destination: lines }, alerts: false });
    await runScript(telemetry, {}, { ctx: { service: "trpc" } });
    await runScript(telemetry, {}, { ctx: { service: "graphql" } });
    await runScript(telemetry, {});
    expect(lines.records().map((record) => record.service)).toEqual(["trpc", "graphql", "keel"]);
    for (const line of lines.lines) expect(line.match(/"service":/g)).toHaveLength(1);
    // In the same place whoever named it (the line's own, or the logger's for a line without one).
    for (const record of lines.records())
      expect(Object.keys(record).slice(0, 4)).toEqual(["level", "time", "service", "requestId"]);
    await telemetry.close();
  });

  it("keep the upstream's own words about a failure for the log only, redacted (callers never see them)", async () => {
    const lines = captureLines();
    const telemetry = createTelemetry({ log: { destination: lines }, alerts: false });
    const upstream = new Error("500 internal: db password=hunter2 at 10.0.0.5 for org-AbCdEf123456");
    await runScript(telemetry, {
      error: { code: "UPSTREAM_UNAVAILABLE", message: "openai/gpt-4o: the upstream failed (500)", cause: upstream },
    });
    const [line] = lines.records();
    expect(line).toMatchObject({
      errorCode: "UPSTREAM_UNAVAILABLE",
      errorMessage: "openai/gpt-4o: the upstream failed (500)",
      upstreamMessage: "500 internal: db password=[REDACTED] at [IP] for [ACCOUNT_ID]",
    });
    expect(lines.lines.join("")).not.toMatch(/hunter2|10\.0\.0\.5|AbCdEf123456/);
    await telemetry.close();
  });

  it("truncates logged prompts to maxPromptChars", async () => {
    const lines = captureLines();
    const telemetry = createTelemetry({
      log: { destination: lines, logPrompts: true, maxPromptChars: 40 },
      alerts: false,
    });
    await runScript(
      telemetry,
      {},
      { request: makeRequest({ messages: [{ role: "user", content: "x".repeat(1000) }] }) },
    );
    const [line] = lines.records();
    expect(String(line!.prompt).length).toBeLessThan(80);
    expect(String(line!.prompt)).toContain("truncated");
    await telemetry.close();
  });

  it("createLogger redacts secret keys and reduces errors to type and code", () => {
    const lines = captureLines();
    const logger = createLogger({
      destination: lines,
      serviceName: "svc",
      redactPaths: ['request.headers["x-tenant-secret"]'],
    });
    const error = Object.assign(new Error(`boom ${SECRETS[0]}`), { code: "ECONNRESET" });
    logger.warn(
      { err: error, request: { headers: { "x-api-key": SECRETS[2], "x-tenant-secret": "hush-123" } } },
      "failed",
    );
    const output = lines.lines.join("");
    expect(output).not.toContain(SECRETS[0]);
    expect(output).not.toContain(SECRETS[2]);
    expect(output).not.toContain("hush-123");
    expect(lines.records()[0]).toMatchObject({ service: "svc", err: { type: "Error", code: "ECONNRESET" } });
  });
});
