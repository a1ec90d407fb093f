import { describe, expect, it } from "vitest";
import { AlertTracker } from "./alerts/tracker.ts";
import { createTelemetry, type AlertOptions, type Telemetry } from "./index.ts";
import {
  captureLines,
  makeGeneration,
  manualClock,
  runScript,
  type Script,
} from "./test-support/telemetry-fixtures.ts";

const SHORT: AlertOptions = {
  bucketMs: 1_000,
  evaluateEveryMs: 0,
  errorRate: { windowMs: 10_000, baselineMs: 60_000, minRequests: 5, resolveAfterMs: 5_000 },
  latency: { windowMs: 10_000, baselineMs: 60_000, minRequests: 5, minP95Ms: 100, resolveAfterMs: 5_000 },
  cost: { windowMs: 10_000, baselineMs: 60_000, minUsd: 0.01, resolveAfterMs: 5_000 },
};

function setup() {
  const clock = manualClock();
  const lines = captureLines();
  const telemetry = createTelemetry({ now: clock.now, log: { destination: lines }, alerts: SHORT });
  const transitions = () =>
    lines
      .records()
      .filter((line) => typeof line.msg === "string" && /^alert (firing|resolved)/.test(line.msg))
      .map((line) => `${String(line.msg).split(":")[0]} ${(line.alert as { key: string }).key}`);
  return { clock, lines, telemetry, transitions };
}

/** `seconds` of traffic, `perSecond` requests each second, rules evaluated after every second. */
async function traffic(
  telemetry: Telemetry,
  clock: ReturnType<typeof manualClock>,
  options: { seconds: number; perSecond: number; script: Script },
): Promise<void> {
  for (let second = 0; second < options.seconds; second++) {
    const base = clock.now();
    for (let index = 0; index < options.perSecond; index++) await runScript(telemetry, options.script, { clock });
    clock.set(base + 1_000);
    telemetry.evaluateAlerts();
  }
}

const healthy: Script = { tailMs: 20, generation: makeGeneration({ costUsd: 0.001 }) };

describe("alert rules over sliding windows", () => {
  it("error-rate spike against the baseline fires once and resolves once", async () => {
    const { clock, telemetry, transitions } = setup();
    await traffic(telemetry, clock, { seconds: 60, perSecond: 1, script: healthy });
    expect(transitions()).toEqual([]);
    await traffic(telemetry, clock, {
      seconds: 10,
      perSecond: 2,
      script: { tailMs: 5, error: { code: "UPSTREAM_UNAVAILABLE", message: "down" } },
    });
    expect(transitions()).toEqual(["alert firing error-rate"]);
    expect(telemetry.activeAlerts()).toMatchObject([{ rule: "error-rate", status: "firing" }]);
    expect(telemetry.snapshot().alerts).toHaveLength(1);
    await traffic(telemetry, clock, { seconds: 30, perSecond: 1, script: healthy });
    expect(transitions()).toEqual(["alert firing error-rate", "alert resolved error-rate"]);
    expect(telemetry.activeAlerts()).toEqual([]);
    const [resolved] = telemetry.snapshot().resolvedAlerts;
    expect(resolved).toMatchObject({ rule: "error-rate", status: "resolved", since: expect.any(String) });
    expect(Date.parse(resolved!.resolvedAt!)).toBeGreaterThan(Date.parse(resolved!.since));
    expect(await telemetry.metricsText()).toContain('keel_alert_active{rule="error-rate",key="error-rate"} 0');
    await telemetry.close();
  });

  it("p95 latency degradation against the baseline fires once and resolves once", async () => {
    const { clock, telemetry, transitions } = setup();
    await traffic(telemetry, clock, { seconds: 60, perSecond: 1, script: healthy });
    await traffic(telemetry, clock, { seconds: 10, perSecond: 1, script: { ...healthy, tailMs: 600 } });
    expect(transitions()).toEqual(["alert firing latency-p95"]);
    await traffic(telemetry, clock, { seconds: 30, perSecond: 1, script: healthy });
    expect(transitions()).toEqual(["alert firing latency-p95", "alert resolved latency-p95"]);
    await telemetry.close();
  });

  it("cost anomaly (spend rate against its trailing average) fires once and resolves once", async () => {
    const { clock, telemetry, transitions } = setup();
    await traffic(telemetry, clock, { seconds: 60, perSecond: 1, script: healthy });
    await traffic(telemetry, clock, {
      seconds: 10,
      perSecond: 1,
      script: { ...healthy, generation: makeGeneration({ costUsd: 0.05 }) },
    });
    expect(transitions()).toEqual(["alert firing cost-anomaly"]);
    await traffic(telemetry, clock, { seconds: 30, perSecond: 1, script: healthy });
    expect(transitions()).toEqual(["alert firing cost-anomaly", "alert resolved cost-anomaly"]);
    await telemetry.close();
  });

  it("provider availability fires on an open breaker or a failing probe and resolves on close or a passing probe", async () => {
    const { clock, telemetry, transitions } = setup();
    const target = "openai/gpt-4o";
    telemetry.events.emit({ type: "circuit-open", target });
    telemetry.events.emit({ type: "circuit-open", target });
    clock.advance(1_000);
    telemetry.events.emit({ type: "circuit-half-open", target });
    telemetry.evaluateAlerts();
    expect(telemetry.activeAlerts()).toMatchObject([
      { rule: "provider-availability", key: `provider-availability:${target}`, target },
    ]);
    telemetry.events.emit({ type: "circuit-close", target });
    // A breaker event on a request's own sink counts too.
    await runScript(
      telemetry,
      { events: [[0, { type: "health-probe", target: "azure/gpt-4o", ok: false, durationMs: 3 }]] },
      { clock },
    );
    telemetry.events.emit({ type: "health-probe", target: "azure/gpt-4o", ok: false, durationMs: 3 });
    telemetry.events.emit({ type: "health-probe", target: "azure/gpt-4o", ok: true, durationMs: 3 });
    expect(transitions()).toEqual([
      `alert firing provider-availability:${target}`,
      `alert resolved provider-availability:${target}`,
      "alert firing provider-availability:azure/gpt-4o",
      "alert resolved provider-availability:azure/gpt-4o",
    ]);
    expect(await telemetry.metricsText()).toContain('keel_health_probe_up{target="azure/gpt-4o"} 1');
    await telemetry.close();
  });

  it("rules can be turned off", async () => {
    const clock = manualClock();
    const lines = captureLines();
    const telemetry = createTelemetry({
      now: clock.now,
      log: { destination: lines },
      alerts: { ...SHORT, errorRate: false, availability: false },
    });
    await traffic(telemetry, clock, { seconds: 60, perSecond: 1, script: healthy });
    await traffic(telemetry, clock, {
      seconds: 10,
      perSecond: 2,
      script: { error: { code: "UPSTREAM_UNAVAILABLE", message: "down" } },
    });
    telemetry.events.emit({ type: "circuit-open", target: "openai/gpt-4o" });
    expect(telemetry.activeAlerts()).toEqual([]);
    await telemetry.close();
  });
});

describe("AlertTracker", () => {
  it("waits forMs before firing, and with hysteresis notifies once for a value hovering at its threshold", () => {
    const tracker = new AlertTracker(2_000, 3_000);
    expect(tracker.update(0, true, false)).toBeUndefined();
    expect(tracker.update(1_000, false, false)).toBeUndefined(); // dipped: back to ok
    expect(tracker.update(2_000, true, false)).toBeUndefined();
    expect(tracker.update(4_000, true, false)).toBe("fired");
    const hovering: Array<[boolean, boolean]> = [
      [false, false],
      [true, false],
      [false, false],
      [false, true],
      [true, false],
      [false, true],
    ];
    let time = 4_000;
    for (const [breached, clear] of hovering) {
      time += 1_000;
      expect(tracker.update(time, breached, clear)).toBeUndefined();
    }
    expect(tracker.firing).toBe(true);
    time += 1_000;
    expect(tracker.update(time, false, true)).toBeUndefined();
    time += 2_000;
    expect(tracker.update(time, false, true)).toBe("resolved");
    expect(tracker.firing).toBe(false);
  });
});
