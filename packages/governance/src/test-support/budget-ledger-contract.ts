import { KeelError } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import type { BudgetLedger, BudgetLedgerOptions, Reservation } from "../budgets/budget-types.ts";
import type { GovernanceEvent } from "../shared/events.ts";
import { sleepMs } from "./temporary-directory.ts";

/** Opens ledgers on one shared state: two calls in one scope are two instances. */
export type OpenLedger = (options?: BudgetLedgerOptions) => BudgetLedger;

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!KeelError.isInstance(outcome)) throw new Error("expected a KeelError");
  return outcome;
}

/** The behaviour both ledgers have (memory: one process; Redis: any number of instances). */
export function describeBudgetLedgerContract(name: string, newScope: () => OpenLedger): void {
  describe(`budget ledger contract: ${name}`, () => {
    const opened: BudgetLedger[] = [];
    const scope = () => {
      const open = newScope();
      return (options?: BudgetLedgerOptions) => {
        const ledger = open(options);
        opened.push(ledger);
        return ledger;
      };
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
    });

    it("admits at most 10 of 100 concurrent reservations against a budget that fits 10, from two instances", async () => {
      const open = scope();
      const ledgers = [open(), open()];
      const maxCost = 50_000; // 0.05 USD
      const request = { tenant: "acme", tenantBudget: { dailyUsd: 0.5 }, maxCostMicroUsd: maxCost };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, (_, index) => ledgers[index % 2]!.reserve(request)),
      );
      const reservations = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
      expect(reservations).toHaveLength(10);
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") expect((outcome.reason as KeelError).code).toBe("BUDGET_EXCEEDED");
      }
      const status = await ledgers[0]!.status({ tenant: "acme", tenantBudget: request.tenantBudget });
      expect(status.tenant.day).toMatchObject({ spentMicroUsd: 0, reservedMicroUsd: 500_000, remainingMicroUsd: 0 });
    });

    it("never lets spend pass the budget by more than one request's maximum, waves of calls settling as they go", async () => {
      const open = scope();
      const ledgers = [open(), open()];
      const maxCost = 40_000;
      const budget = { dailyUsd: 1 };
      let spent = 0;
      let refusedWaves = 0;
      for (let wave = 0; wave < 12 && refusedWaves < 2; wave++) {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 100 }, (_, index) =>
            ledgers[index % 2]!.reserve({ tenant: "acme", key: { id: "k", budget }, maxCostMicroUsd: maxCost }),
          ),
        );
        const held = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
        if (held.length === 0) refusedWaves++;
        // Most calls cost less than reserved; one in ten runs over (a retry the estimate missed).
        await Promise.all(
          held.map((reservation, index) => {
            const actual = index % 10 === 0 ? maxCost + 5_000 : 10_000 + ((index * 7_919) % 30_000);
            spent += actual;
            return ledgers[index % 2]!.settle(reservation, actual);
          }),
        );
      }
      const status = await ledgers[0]!.status({ tenant: "acme", key: { id: "k", budget } });
      expect(status.key?.day.spentMicroUsd).toBe(spent);
      expect(spent).toBeGreaterThan(1_000_000 - maxCost);
      expect(spent).toBeLessThanOrEqual(1_000_000 + maxCost);
      expect(status.key?.day).toMatchObject({ reservedMicroUsd: 0, limitMicroUsd: 1_000_000 });
      expect(status.tenant.day).toMatchObject({ spentMicroUsd: spent, reservedMicroUsd: 0 });
      expect(status.tenant.day.limitMicroUsd).toBeUndefined();
    });

    it("names the scope, period, limit and spend when a reservation would cross a budget", async () => {
      const events: GovernanceEvent[] = [];
      const ledger = scope()({ onEvent: (event) => events.push(event) });
      const request = {
        tenant: "acme",
        tenantBudget: { monthlyUsd: 2 },
        key: { id: "k", budget: { dailyUsd: 1 } },
      };
      const first = await ledger.reserve({ ...request, maxCostMicroUsd: 700_000 });
      await ledger.settle(first, 600_000);
      const error = await failure(ledger.reserve({ ...request, maxCostMicroUsd: 500_000 }));
      expect(error.code).toBe("BUDGET_EXCEEDED");
      expect(error.details).toEqual({
        scope: "key",
        period: "day",
        limitMicroUsd: 1_000_000,
        spentMicroUsd: 600_000,
        reservedMicroUsd: 0,
        requestedMicroUsd: 500_000,
        resetsAt: expect.stringMatching(/T00:00:00\.000Z$/),
      });
      expect(events.at(-1)).toEqual({
        type: "budget-exceeded",
        scope: "key",
        period: "day",
        limitMicroUsd: 1_000_000,
        spentMicroUsd: 600_000,
      });
      // Another key of the tenant still has its own day, but the tenant's month caps both.
      const other = { tenant: "acme", tenantBudget: { monthlyUsd: 2 }, key: { id: "other", budget: { dailyUsd: 5 } } };
      await ledger.settle(await ledger.reserve({ ...other, maxCostMicroUsd: 1_000_000 }), 1_000_000);
      const monthly = await failure(ledger.reserve({ ...other, maxCostMicroUsd: 500_000 }));
      expect(monthly.details).toMatchObject({
        scope: "tenant",
        period: "month",
        limitMicroUsd: 2_000_000,
        spentMicroUsd: 1_600_000,
      });
      // A zero-cost call still passes while the budget is not overspent.
      expect((await ledger.reserve({ ...other, maxCostMicroUsd: 0 })).held).toBe(true);
    });

    it("settles: the actual cost is spent, the rest of the reservation is released", async () => {
      const ledger = scope()();
      const query = { tenant: "acme", tenantBudget: { dailyUsd: 1, monthlyUsd: 10 } };
      const reservation = await ledger.reserve({ ...query, maxCostMicroUsd: 300_000 });
      const during = await ledger.status(query);
      expect(during.tenant.day).toMatchObject({
        spentMicroUsd: 0,
        reservedMicroUsd: 300_000,
        remainingMicroUsd: 700_000,
      });
      await ledger.settle(reservation, 123_457);
      const after = await ledger.status(query);
      expect(after.tenant.day).toMatchObject({
        spentMicroUsd: 123_457,
        reservedMicroUsd: 0,
        remainingMicroUsd: 876_543,
      });
      expect(after.tenant.month).toMatchObject({
        spentMicroUsd: 123_457,
        limitMicroUsd: 10_000_000,
        remainingMicroUsd: 9_876_543,
      });
      expect(after.key).toBeUndefined();
      expect(after.tenant.day.period).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(after.tenant.month.period).toMatch(/^\d{4}-\d{2}$/);
    });

    it("releases a reservation its holder never settled once it expires; a late settlement is still spent", async () => {
      const ledger = scope()({ reservationTtlMs: 200 });
      const query = { tenant: "acme", tenantBudget: { dailyUsd: 1 } };
      const abandoned = await ledger.reserve({ ...query, maxCostMicroUsd: 1_000_000 });
      expect((await failure(ledger.reserve({ ...query, maxCostMicroUsd: 1 }))).code).toBe("BUDGET_EXCEEDED");
      await sleepMs(260);
      expect((await ledger.status(query)).tenant.day.reservedMicroUsd).toBe(0);
      const next = await ledger.reserve({ ...query, maxCostMicroUsd: 400_000 });
      await ledger.settle(abandoned, 250_000);
      await ledger.settle(next, 100_000);
      expect((await ledger.status(query)).tenant.day).toMatchObject({ spentMicroUsd: 350_000, reservedMicroUsd: 0 });
    });

    it("reports 80 % and 100 % once per scope and period, however many instances settle", async () => {
      const events: GovernanceEvent[] = [];
      const open = scope();
      const onEvent = (event: GovernanceEvent) => events.push(event);
      const ledgers = [open({ onEvent }), open({ onEvent })];
      const request = { tenant: "acme", key: { id: "k", budget: { dailyUsd: 1 } }, maxCostMicroUsd: 100_000 };
      const thresholds = () => events.filter((event) => event.type === "budget-threshold");
      // Calls that cost what they reserved (0.1 USD), five at a time from two instances, until refused:
      // the spend reaches exactly 1 USD, passing 80 % on the way.
      for (let round = 0; round < 4; round++) {
        const held = await Promise.allSettled(
          Array.from({ length: 5 }, (_, index) => ledgers[index % 2]!.reserve(request)),
        );
        await Promise.all(
          held.map((outcome, index) =>
            outcome.status === "fulfilled" ? ledgers[index % 2]!.settle(outcome.value, 100_000) : undefined,
          ),
        );
      }
      const settledSpend = (await ledgers[0]!.status(request)).key?.day.spentMicroUsd ?? 0;
      expect(settledSpend).toBe(1_000_000);
      // Two instances settle at once, so the two events may arrive in either order; each arrives once.
      const crossed = thresholds().map(
        (event) => event.type === "budget-threshold" && [event.scope, event.period, event.percent],
      );
      expect(crossed).toHaveLength(2);
      expect(crossed).toEqual(
        expect.arrayContaining([
          ["key", "day", 80],
          ["key", "day", 100],
        ]),
      );
      expect(thresholds()[0]).toMatchObject({
        tenant: "acme",
        keyId: "k",
        limitMicroUsd: 1_000_000,
        periodLabel: expect.stringMatching(/^\d{4}-/),
      });
      // A jump from nothing to past the limit reports both thresholds, in order.
      events.length = 0;
      const jump = await ledgers[1]!.reserve({
        tenant: "beta",
        tenantBudget: { monthlyUsd: 1 },
        maxCostMicroUsd: 1_000_000,
      });
      await ledgers[1]!.settle(jump, 1_200_000);
      expect(
        thresholds().map((event) => event.type === "budget-threshold" && [event.scope, event.period, event.percent]),
      ).toEqual([
        ["tenant", "month", 80],
        ["tenant", "month", 100],
      ]);
    });

    it("starts a fresh day at UTC midnight while the month keeps counting", async () => {
      let clock = Date.parse("2025-01-31T23:59:59.000Z");
      const ledger = scope()({ now: () => clock });
      const query = { tenant: "acme", tenantBudget: { dailyUsd: 1, monthlyUsd: 3 } };
      await ledger.settle(await ledger.reserve({ ...query, maxCostMicroUsd: 900_000 }), 900_000);
      expect((await failure(ledger.reserve({ ...query, maxCostMicroUsd: 200_000 }))).details.period).toBe("day");
      clock = Date.parse("2025-02-01T00:00:01.000Z");
      const status = await ledger.status(query);
      expect(status.tenant.day).toMatchObject({
        period: "2025-02-01",
        spentMicroUsd: 0,
        resetsAt: "2025-02-02T00:00:00.000Z",
      });
      expect(status.tenant.month).toMatchObject({
        period: "2025-02",
        spentMicroUsd: 0,
        resetsAt: "2025-03-01T00:00:00.000Z",
      });
      clock = Date.parse("2025-02-01T10:00:00.000Z");
      await ledger.settle(await ledger.reserve({ ...query, maxCostMicroUsd: 900_000 }), 900_000);
      clock = Date.parse("2025-02-02T10:00:00.000Z");
      await ledger.settle(await ledger.reserve({ ...query, maxCostMicroUsd: 900_000 }), 900_000);
      expect((await ledger.status(query)).tenant.month.spentMicroUsd).toBe(1_800_000);
    });

    it("keeps tenants apart and counts exact integer micro-dollars", async () => {
      const ledger = scope()();
      const reservations: Reservation[] = [];
      for (let index = 0; index < 30; index++)
        reservations.push(await ledger.reserve({ tenant: "acme", maxCostMicroUsd: 100_001 }));
      for (const reservation of reservations) await ledger.settle(reservation, 100_001);
      expect((await ledger.status({ tenant: "acme" })).tenant.day.spentMicroUsd).toBe(3_000_030);
      expect((await ledger.status({ tenant: "other" })).tenant.day).toMatchObject({
        spentMicroUsd: 0,
        reservedMicroUsd: 0,
      });
      for (const bad of [-1, 1.5, Number.NaN]) {
        expect((await failure(ledger.reserve({ tenant: "acme", maxCostMicroUsd: bad }))).code).toBe("BAD_REQUEST");
      }
      expect((await failure(ledger.reserve({ tenant: "", maxCostMicroUsd: 1 }))).code).toBe("BAD_REQUEST");
      expect(
        (await failure(ledger.reserve({ tenant: "a", tenantBudget: { dailyUsd: -1 }, maxCostMicroUsd: 1 }))).code,
      ).toBe("BAD_REQUEST");
    });
  });
}
