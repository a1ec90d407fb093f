import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

/** Issue 12 item 10: a tenant's snapshot carries its own targets' breakers and alerts, not everyone's. */

let running: { pipeline: Pipeline; simulator: SimulatorHandle } | undefined;
afterEach(async () => {
  await running?.pipeline.close();
  await running?.simulator.close();
  running = undefined;
});

describe("per-tenant metrics snapshot", () => {
  it("shows a tenant only the breakers and availability alerts of the targets that served it", async () => {
    const simulator = await startSimulator({ rules: [{ model: "gpt-4o", fault: { type: "status", status: 500 } }] });
    const pipeline = createPipeline(
      parseConfig({
        providers: { sim: { baseURL: simulator.url, apiKey: "k" } },
        models: { small: { targets: ["sim/gpt-4o-mini"] }, large: { targets: ["sim/gpt-4o"] } },
        defaults: {
          policy: {
            retry: false,
            breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
          },
        },
        telemetry: { log: { level: "silent" } },
      }),
    );
    running = { pipeline, simulator };
    const ask = (tenant: string, model: string, content: string) =>
      pipeline.generate({ model, messages: [{ role: "user", content }], temperature: 0 }, { tenant });

    await ask("acme", "small", "hello");
    for (let index = 0; index < 3; index++) await ask("globex", "large", `fail ${index}`).catch(() => undefined);

    const operator = pipeline.metricsSnapshot({ all: true });
    expect(operator.breakers["sim/gpt-4o"]).toBe("open");
    expect(operator.alerts.some((alert) => alert.target === "sim/gpt-4o")).toBe(true);

    const acme = pipeline.metricsSnapshot({ tenant: "acme" });
    expect(acme.breakers).toEqual({ "sim/gpt-4o-mini": "closed" });
    expect(acme.alerts).toEqual([]);
    expect(Object.keys(acme.tenants)).toEqual(["acme"]);

    const globex = pipeline.metricsSnapshot({ tenant: "globex" });
    expect(globex.breakers).toEqual({ "sim/gpt-4o": "open" });
    expect(globex.alerts.map((alert) => alert.target)).toEqual(["sim/gpt-4o"]);
  });
});
