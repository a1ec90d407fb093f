import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createTelemetry } from "./index.ts";
import { captureLines, makeGeneration, manualClock, runScript, runStream } from "./test-support/telemetry-fixtures.ts";

const PROMQL_WORDS = new Set([
  "sum",
  "avg",
  "min",
  "max",
  "count",
  "rate",
  "increase",
  "irate",
  "delta",
  "histogram_quantile",
  "clamp_min",
  "clamp_max",
  "abs",
  "offset",
  "and",
  "or",
  "unless",
  "bool",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "le",
]);

interface Expressions {
  metrics: Set<string>;
  labels: Set<string>;
}

/** Metric and label names used by PromQL expressions (a small parser for the shapes these files use). */
function namesIn(expressions: string[]): Expressions {
  const metrics = new Set<string>();
  const labels = new Set<string>();
  for (const expression of expressions) {
    expect(balanced(expression), expression).toBe(true);
    for (const match of expression.matchAll(/\{([^}]*)\}/g))
      for (const label of match[1]!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!=|!~|=)/g)) labels.add(label[1]!);
    for (const match of expression.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g))
      for (const label of match[1]!.split(",")) labels.add(label.trim());
    const bare = expression
      .replace(/\{[^}]*\}/g, " ")
      .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, " ")
      .replace(/\[[^\]]*\]/g, " ")
      .replace(/\b\d+(?:\.\d+)?[smhd]?\b/g, " ");
    for (const match of bare.matchAll(/[a-zA-Z_:][\w:]*/g)) if (!PROMQL_WORDS.has(match[0])) metrics.add(match[0]);
  }
  labels.delete("");
  return { metrics, labels };
}

function balanced(expression: string): boolean {
  let depth = 0;
  for (const character of expression) {
    if ("({[".includes(character)) depth++;
    if (")}]".includes(character)) depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

async function scriptedMetricsText(): Promise<string> {
  const clock = manualClock();
  const telemetry = createTelemetry({
    now: clock.now,
    log: { destination: captureLines() },
    alerts: { evaluateEveryMs: 0 },
  });
  const target = "openai/gpt-4o-mini";
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
            action: "redact",
          },
        ],
        [0, { type: "cache-miss", kind: "exact" }],
        [10, { type: "upstream-error", target: "openai/gpt-4o", durationMs: 10, code: "UPSTREAM_UNAVAILABLE" }],
        [0, { type: "retry-attempt", target: "openai/gpt-4o", attempt: 1, delayMs: 5, code: "UPSTREAM_UNAVAILABLE" }],
        [0, { type: "fallback", from: "openai/gpt-4o", to: target, code: "UPSTREAM_UNAVAILABLE" }],
        [
          40,
          {
            type: "upstream-response",
            target,
            durationMs: 40,
            usage: { promptTokens: 5, completionTokens: 9, totalTokens: 14 },
          },
        ],
        [0, { type: "validation-attempt", attempt: 1, valid: true, repaired: false, errorCount: 0 }],
      ],
      generation: makeGeneration(),
    },
    { clock },
  );
  await runScript(
    telemetry,
    { events: [[0, { type: "cache-coalesced", kind: "exact", savedTokens: 14, savedUsd: 0.001 }]] },
    { clock },
  );
  await runScript(telemetry, { error: { code: "UPSTREAM_TIMEOUT", message: "slow" } }, { clock });
  await runStream(telemetry, { clock, chunks: ["a", "b"], firstChunkMs: 30, gapMs: 5 });
  telemetry.events.emit({ type: "circuit-open", target });
  telemetry.events.emit({ type: "health-probe", target, ok: true, durationMs: 2 });
  const text = await telemetry.metricsText();
  await telemetry.close();
  return text;
}

function emitted(text: string): { metrics: Set<string>; labels: Set<string> } {
  const metrics = new Set<string>();
  const labels = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    metrics.add(line.split(/[{ ]/)[0]!);
    for (const match of line.matchAll(/([a-zA-Z_]\w*)="/g)) labels.add(match[1]!);
  }
  return { metrics, labels };
}

describe("shipped Prometheus rules and Grafana dashboard", () => {
  it("alerts.yml: every rule is well formed and every metric and label it uses is emitted", async () => {
    const document = parse(readFileSync(new URL("../prometheus/alerts.yml", import.meta.url), "utf8")) as {
      groups: Array<{
        name: string;
        rules: Array<{ alert: string; expr: string; for?: string; annotations?: { summary?: string } }>;
      }>;
    };
    const rules = document.groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^Keel[A-Z]\w+$/);
      expect(rule.expr.trim().length).toBeGreaterThan(0);
      expect(rule.annotations?.summary).toBeTruthy();
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
    const used = namesIn(rules.map((rule) => rule.expr));
    const actual = emitted(await scriptedMetricsText());
    expect(used.metrics.size).toBeGreaterThanOrEqual(6);
    for (const metric of used.metrics) expect(actual.metrics, `metric ${metric} used by alerts.yml`).toContain(metric);
    for (const label of used.labels) expect(actual.labels, `label ${label} used by alerts.yml`).toContain(label);
  });

  it("keel-dashboard.json: every panel query uses emitted metrics and labels", async () => {
    const dashboard = JSON.parse(readFileSync(new URL("../grafana/keel-dashboard.json", import.meta.url), "utf8")) as {
      uid: string;
      panels: Array<{ id: number; title: string; targets: Array<{ expr: string; refId: string }> }>;
    };
    expect(dashboard.uid).toBe("keel-overview");
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    const expressions = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    const used = namesIn(expressions);
    const actual = emitted(await scriptedMetricsText());
    expect(used.metrics.size).toBeGreaterThanOrEqual(12);
    for (const metric of used.metrics)
      expect(actual.metrics, `metric ${metric} used by the dashboard`).toContain(metric);
    for (const label of used.labels) expect(actual.labels, `label ${label} used by the dashboard`).toContain(label);
  });

  it("the name check catches a metric that is not emitted", () => {
    const used = namesIn(['sum(rate(keel_not_a_metric_total{code="X"}[5m])) by (code)']);
    expect([...used.metrics]).toEqual(["keel_not_a_metric_total"]);
    expect([...used.labels]).toEqual(["code"]);
  });
});
