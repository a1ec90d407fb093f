import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  collectStream,
  dataOf,
  GENERATE,
  graphql,
  startStack,
  wsClient,
  type GenerateData,
  type Stack,
} from "./test-support/stack.ts";

const STRUCTURED = `mutation($input: StructuredInput!) { structured(input: $input) { usage { promptTokens completionTokens totalTokens } costUsd } }`;
const TOTALS =
  "requests errors cacheHits promptTokens completionTokens totalTokens estimatedRequests costUsd savedTokens savedUsd";
const USAGE = `query($from: String, $to: String, $model: String) { usage(from: $from, to: $to, model: $model) {
  tenant from to model totals { ${TOTALS} } days { day totals { ${TOTALS} } models { model totals { ${TOTALS} } } } } }`;
const WINDOW = `requests requestRate errors errorRate rejected errorsByCode { code count } latencyMs { p50 p95 p99 mean } cacheLookups cacheHits cacheHitRate
  inputTokens outputTokens costUsd costPerRequestUsd savedUsd`;
const SERIES = `last1m { ${WINDOW} } last5m { ${WINDOW} } last1h { ${WINDOW} }`;
const SNAPSHOT = `{ metricsSnapshot { at overall { ${SERIES} } models { name stats { ${SERIES} } } tenants { name stats { ${SERIES} } }
  routes { name stats { ${SERIES} } } breakers { target state }
  alerts { rule key status since resolvedAt target value threshold message } resolvedAlerts { key since resolvedAt } } }`;

interface Spent {
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  costUsd: number;
}

type UsageTotalsView = Record<
  | "requests"
  | "errors"
  | "cacheHits"
  | "promptTokens"
  | "completionTokens"
  | "totalTokens"
  | "estimatedRequests"
  | "costUsd"
  | "savedTokens"
  | "savedUsd",
  number
>;

/** What USAGE answers with (schema.graphql's UsageReport). */
interface UsageData {
  usage: {
    tenant: string;
    from: string;
    to: string;
    model: string | null;
    totals: UsageTotalsView;
    days: Array<{ day: string; totals: UsageTotalsView; models: Array<{ model: string; totals: UsageTotalsView }> }>;
  };
}

/** One window of one series as WINDOW selects it; a percentile is null when the window has no successful request. */
interface WindowView {
  requests: number;
  requestRate: number;
  errors: number;
  errorRate: number;
  rejected: number;
  errorsByCode: Array<{ code: string; count: number }>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null };
  cacheLookups: number;
  cacheHits: number;
  cacheHitRate: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  costPerRequestUsd: number | null;
  savedUsd: number;
}

interface SeriesView {
  last1m: WindowView;
  last5m: WindowView;
  last1h: WindowView;
}

/** What SNAPSHOT answers with (schema.graphql's MetricsSnapshot). */
interface SnapshotData {
  metricsSnapshot: {
    at: string;
    overall: SeriesView;
    models: Array<{ name: string; stats: SeriesView }>;
    tenants: Array<{ name: string; stats: SeriesView }>;
    routes: Array<{ name: string; stats: SeriesView }>;
    breakers: Array<{ target: string; state: string }>;
    alerts: unknown[];
    resolvedAlerts: unknown[];
  };
}

describe("usage and metricsSnapshot queries after scripted traffic", () => {
  let stack: Stack;
  const envelopes: Spent[] = [];
  let failures = 0;

  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "fail-500", fault: { type: "status", status: 500 } },
        { promptIncludes: "first-wrong", times: 1, reply: '{"answer": 42}' },
      ],
      // No retries: the failing request is one upstream call and one error.
      config: { defaults: { policy: { retry: false, breaker: false } } },
    });
    const bypass = { cache: { mode: "BYPASS" } };
    // The script: plain generations, a structured call with a re-ask, a stream, and failures.
    for (const content of ["usage one", "usage two", "usage three"]) {
      const response = await graphql<GenerateData>({
        url: stack.url,
        query: GENERATE,
        variables: { input: chat(content, bypass) },
      });
      envelopes.push(dataOf(response).generate);
    }
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const structured = await graphql<{ structured: Spent }>({
      url: stack.url,
      query: STRUCTURED,
      variables: { input: { ...chat("first-wrong answer", bypass), schema } },
    });
    envelopes.push(dataOf(structured).structured);
    const client = wsClient(stack.wsUrl);
    const streamed = await collectStream(client, chat("usage streamed", bypass));
    await client.dispose();
    const done = streamed.events.at(-1);
    if (done?.type !== "DONE" || !done.generation)
      throw new Error(`the stream did not finish: ${JSON.stringify(streamed)}`);
    envelopes.push(done.generation);
    for (const content of ["fail-500 one", "fail-500 two"]) {
      const response = await graphql({ url: stack.url, query: GENERATE, variables: { input: chat(content, bypass) } });
      expect(response.body?.errors?.[0]?.extensions?.code).toBe("UPSTREAM_UNAVAILABLE");
      failures += 1;
    }
    expect(envelopes.every((envelope) => envelope.usage.totalTokens > 0)).toBe(true);
  });
  afterAll(() => stack.close());

  const sum = (pick: (envelope: Spent) => number) => envelopes.reduce((total, envelope) => total + pick(envelope), 0);

  it("reports usage totals equal to the sum of the returned envelopes, as typed fields", async () => {
    const response = await graphql<UsageData>({ url: stack.url, query: USAGE });
    expect(response.body?.errors).toBeUndefined();
    const report = dataOf(response).usage;
    expect(report.tenant).toBe("default");
    expect(report.model).toBeNull();
    expect(report.totals).toMatchObject({
      requests: envelopes.length + failures,
      errors: failures,
      promptTokens: sum((envelope) => envelope.usage.promptTokens),
      completionTokens: sum((envelope) => envelope.usage.completionTokens),
      totalTokens: sum((envelope) => envelope.usage.totalTokens),
    });
    expect(report.totals.costUsd).toBeGreaterThan(0);
    expect(report.totals.costUsd).toBeCloseTo(
      sum((envelope) => envelope.costUsd),
      12,
    );
    expect(report.days).toHaveLength(1);
    expect(report.days[0]?.day).toBe(new Date().toISOString().slice(0, 10));
    expect(report.days[0]?.models.map((entry) => entry.model)).toContain("gpt-4o-mini");
  });

  it("narrows by model and day, and refuses a bad day with BAD_REQUEST naming the field", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const narrowed = await graphql<UsageData>({
      url: stack.url,
      query: USAGE,
      variables: { from: today, to: today, model: "gpt-4o-mini" },
    });
    expect(narrowed.body?.data?.usage).toMatchObject({ from: today, to: today, model: "gpt-4o-mini" });
    expect(narrowed.body?.data?.usage.totals.completionTokens).toBe(sum((envelope) => envelope.usage.completionTokens));
    const none = await graphql<UsageData>({ url: stack.url, query: USAGE, variables: { model: "no-such-model" } });
    expect(none.body?.data?.usage.totals.requests).toBe(0);
    const bad = await graphql({ url: stack.url, query: USAGE, variables: { from: "yesterday" } });
    expect(bad.body?.errors?.[0]?.extensions).toMatchObject({ code: "BAD_REQUEST", details: { field: "from" } });
  });

  it("has no tenant argument: a caller cannot choose it", async () => {
    const response = await graphql({ url: stack.url, query: `{ usage(tenant: "someone-else") { tenant } }` });
    expect(response.status).toBe(400);
    expect(response.body?.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_REQUEST",
      graphqlCode: "GRAPHQL_VALIDATION_FAILED",
    });
  });

  it("counts the requests and errors in the snapshot", async () => {
    const response = await graphql<SnapshotData>({ url: stack.url, query: SNAPSHOT });
    expect(response.body?.errors).toBeUndefined();
    const snapshot = dataOf(response).metricsSnapshot;
    expect(Date.parse(snapshot.at)).toBeGreaterThan(0);
    const minute = snapshot.overall.last1m;
    expect(minute.requests).toBe(envelopes.length + failures);
    expect(minute.errors).toBe(failures);
    expect(minute.errorRate).toBeCloseTo(failures / (envelopes.length + failures), 6);
    const { p50, p99 } = minute.latencyMs;
    expect(p50).toBeGreaterThan(0);
    // p50 is a number by now (the line above fails on null); NaN only satisfies the type.
    expect(p99).toBeGreaterThanOrEqual(p50 ?? Number.NaN);
    expect(minute.outputTokens).toBe(sum((envelope) => envelope.usage.completionTokens));
    expect(minute.costUsd).toBeCloseTo(
      sum((envelope) => envelope.costUsd),
      12,
    );
    expect(snapshot.overall.last1h.requests).toBe(minute.requests);
    expect(snapshot.tenants).toEqual([{ name: "default", stats: snapshot.overall }]);
    // The caller's own figures per model add up to its total.
    expect(snapshot.models.map((entry) => entry.name)).toContain("gpt-4o-mini");
    expect(snapshot.models.reduce((total, entry) => total + entry.stats.last1m.requests, 0)).toBe(minute.requests);
    expect(minute.errorsByCode).toContainEqual({ code: "UPSTREAM_UNAVAILABLE", count: failures });
    expect(minute.errorsByCode.reduce((total, entry) => total + entry.count, 0)).toBe(minute.errors + minute.rejected);
    expect(snapshot.routes.reduce((total, entry) => total + entry.stats.last1m.requests, 0)).toBe(minute.requests);
    expect(Array.isArray(snapshot.breakers)).toBe(true);
    expect(Array.isArray(snapshot.alerts)).toBe(true);
    expect(snapshot.resolvedAlerts).toEqual([]);
  });

  it("exposes gen_ai_* and keel_* metrics at /metrics", async () => {
    const response = await fetch(`${stack.host.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const name of [
      "gen_ai_client_operation_duration_seconds",
      "gen_ai_client_token_usage",
      "keel_requests_total",
      "keel_errors_total",
      "keel_cost_usd_total",
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}`, "m"));
    }
    expect(text).toMatch(/^keel_errors_total\{[^}]*code="UPSTREAM_UNAVAILABLE"[^}]*\} 2$/m);
  });
});
