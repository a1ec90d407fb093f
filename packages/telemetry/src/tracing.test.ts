import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createTelemetry } from "./index.ts";
import {
  captureLines,
  makeContext,
  makeGeneration,
  makeRequest,
  runScript,
} from "./test-support/telemetry-fixtures.ts";

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpSpan {
  name: string;
  kind: number;
  spanId: string;
  parentSpanId?: string;
  traceId: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: OtlpValue }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

function attributes(list: Array<{ key: string; value: OtlpValue }>): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue === undefined ? (value.doubleValue ?? value.boolValue) : Number(value.intValue)),
    ]),
  );
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("tracing over OTLP/HTTP", () => {
  it("exports a span per request and one per upstream attempt with gen_ai.* attributes", async () => {
    const exports: Array<{ path: string | undefined; contentType: string | undefined; body: OtlpExport }> = [];
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        exports.push({
          path: request.url,
          contentType: request.headers["content-type"],
          body: JSON.parse(body) as OtlpExport,
        });
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const telemetry = createTelemetry({
      serviceName: "keel-trace-test",
      log: { destination: captureLines() },
      alerts: false,
      tracing: { otlpEndpoint: `http://127.0.0.1:${port}/v1/traces` },
    });

    await runScript(
      telemetry,
      {
        events: [
          [0, { type: "upstream-request", target: "openai/gpt-4o" }],
          [
            0,
            {
              type: "upstream-error",
              target: "openai/gpt-4o",
              durationMs: 15,
              code: "UPSTREAM_UNAVAILABLE",
              status: 503,
            },
          ],
          [0, { type: "fallback", from: "openai/gpt-4o", to: "openai/gpt-4o-mini", code: "UPSTREAM_UNAVAILABLE" }],
          [0, { type: "upstream-request", target: "openai/gpt-4o-mini" }],
          [
            0,
            {
              type: "upstream-response",
              target: "openai/gpt-4o-mini",
              durationMs: 40,
              usage: { promptTokens: 12, completionTokens: 30, totalTokens: 42 },
            },
          ],
        ],
      },
      {
        request: makeRequest({ model: "smart", temperature: 0.2, maxTokens: 64 }),
        ctx: { requestId: "req-traced", tenant: "acme" },
      },
    );
    await telemetry.flush();

    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]!.path).toBe("/v1/traces");
    expect(exports[0]!.contentType).toContain("application/json");
    const resource = attributes(exports[0]!.body.resourceSpans[0]!.resource.attributes);
    expect(resource["service.name"]).toBe("keel-trace-test");
    const spans = exports.flatMap((item) =>
      item.body.resourceSpans.flatMap((resourceSpan) => resourceSpan.scopeSpans.flatMap((scope) => scope.spans)),
    );
    expect(spans).toHaveLength(3);
    const root = spans.find((span) => span.name === "chat smart")!;
    expect(attributes(root.attributes)).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "smart",
      "gen_ai.response.model": "gpt-4o-mini",
      "gen_ai.response.id": "gen-1",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 64,
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 30,
      "keel.request_id": "req-traced",
      "keel.tenant": "acme",
    });
    const failed = spans.find((span) => span.name === "chat gpt-4o")!;
    const answered = spans.find((span) => span.name === "chat gpt-4o-mini")!;
    for (const child of [failed, answered]) {
      expect(child.parentSpanId).toBe(root.spanId);
      expect(child.traceId).toBe(root.traceId);
      expect(child.kind).toBe(3); // CLIENT
    }
    expect(attributes(failed.attributes)).toMatchObject({
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o",
      "error.type": "UPSTREAM_UNAVAILABLE",
      "http.response.status_code": 503,
    });
    expect(failed.status?.code).toBe(2); // ERROR
    expect(attributes(answered.attributes)).toMatchObject({
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 30,
    });
    const durationMs = (span: OtlpSpan) => Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
    expect(durationMs(answered)).toBeCloseTo(40, 0);
    await telemetry.close();
  });

  it("keeps no per-attempt records when tracing is off, and does when it is on", async () => {
    const attemptsSeen: unknown[] = [];
    for (const tracing of [false, { otlpEndpoint: "http://127.0.0.1:9/v1/traces", timeoutMs: 300 }] as const) {
      const telemetry = createTelemetry({ log: { destination: captureLines() }, alerts: false, tracing });
      await telemetry.middleware().wrapGenerate!({
        request: makeRequest(),
        ctx: makeContext(),
        next: async (_request, inner) => {
          inner.events.emit({
            type: "upstream-response",
            target: "openai/gpt-4o",
            durationMs: 5,
            usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
          });
          attemptsSeen.push((inner.events as unknown as { attempts: unknown }).attempts);
          return makeGeneration();
        },
      });
      await telemetry.close();
    }
    expect(attemptsSeen[0]).toBeUndefined();
    expect(attemptsSeen[1]).toHaveLength(1);
  });
});
