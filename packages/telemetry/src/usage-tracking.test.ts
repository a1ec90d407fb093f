import { KeelError, type KeelEvent } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createUsageLedger, withUsageTracking } from "./index.ts";
import { makeGeneration } from "./test-support/telemetry-fixtures.ts";

describe("withUsageTracking", () => {
  it("records the generations made inside fn into the ledger; a cache hit costs 0 and records its saving", async () => {
    const ledger = createUsageLedger();
    const forwarded: KeelEvent[] = [];
    const now = () => Date.parse("2026-03-05T10:00:00Z");
    const { result, usage } = await withUsageTracking(
      async (track) => {
        const first = track.record(
          makeGeneration({ usage: { promptTokens: 100, completionTokens: 50, totalTokens: 150 }, costUsd: 0.01 }),
        );
        // What the cache package would emit on ctx.events for a hit, then the hit's envelope.
        track.events.emit({ type: "cache-hit", kind: "exact", savedTokens: 150, savedUsd: 0.01 });
        track.record(makeGeneration({ cache: "exact", attempts: 0, costUsd: 0 }));
        track.record(
          makeGeneration({
            model: "gpt-4o",
            usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10, estimated: true },
            costUsd: 0.002,
          }),
        );
        return first.id;
      },
      { tenant: "acme", ledger, events: { emit: (event) => forwarded.push(event) }, now },
    );
    expect(result).toBe("gen-1");
    expect(forwarded).toHaveLength(1);
    expect(usage).toMatchObject({
      requests: 3,
      cacheHits: 1,
      promptTokens: 107,
      completionTokens: 53,
      estimatedRequests: 1,
      savedTokens: 150,
    });
    expect(usage.costUsd).toBeCloseTo(0.012, 10);
    expect(usage.savedUsd).toBeCloseTo(0.01, 10);
    const report = await ledger.query({ tenant: "acme", from: "2026-03-05", to: "2026-03-05" });
    expect(report.totals).toEqual(usage);
    expect(Object.keys(report.days[0]!.models).sort()).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect((await ledger.query({ tenant: "globex", from: "2026-03-05", to: "2026-03-05" })).totals.requests).toBe(0);
  });

  it("refuses to run without a tenant", async () => {
    const error = await withUsageTracking(async () => 1, { tenant: "", ledger: createUsageLedger() }).catch(
      (thrown: unknown) => thrown,
    );
    expect(KeelError.isInstance(error) && error.details.field).toBe("tenant");
  });
});
