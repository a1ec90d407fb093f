import { randomUUID } from "node:crypto";
import { tenantTag } from "../shared/identifiers.ts";
import { emitSafely } from "../shared/events.ts";
import {
  budgetExceededError,
  checkMicroUsd,
  countersOf,
  reportThresholds,
  resolveLedgerOptions,
  statusOf,
  thresholdReached,
} from "./budget-plan.ts";
import type { BudgetCounter, BudgetLedger, BudgetLedgerOptions, Reservation } from "./budget-types.ts";
import { periodLabel } from "./periods.ts";

interface CounterState {
  spent: number;
  reserved: number;
  /** Highest threshold already reported. */
  notified: number;
  /** Reservation id to amount and expiry. */
  reservations: Map<string, { amount: number; expiresAt: number }>;
}

const SWEEP_EVERY = 1_024;

/** Budgets in this process's memory (the embedded default). Same rules as the Redis ledger. */
export function createMemoryBudgetLedger(options: BudgetLedgerOptions = {}): BudgetLedger {
  const resolved = resolveLedgerOptions(options);
  const counters = new Map<string, CounterState>();
  let calls = 0;

  const nameOf = (tenant: string, keyId: string | undefined, counter: BudgetCounter) =>
    [tenantTag(tenant), counter.scope === "key" ? `key:${keyId}` : "tenant", counter.period, counter.label].join(
      "\u0000",
    );

  const stateOf = (name: string): CounterState => {
    let state = counters.get(name);
    if (!state) {
      state = { spent: 0, reserved: 0, notified: 0, reservations: new Map() };
      counters.set(name, state);
    }
    return state;
  };

  const purge = (state: CounterState, now: number) => {
    for (const [id, held] of state.reservations) {
      if (held.expiresAt > now) continue;
      state.reserved -= held.amount;
      state.reservations.delete(id);
    }
  };

  // Counters of past periods with nothing held are dropped; memory holds today and this month.
  const sweep = (now: number) => {
    const current = new Set([periodLabel("day", now), periodLabel("month", now)]);
    for (const [name, state] of counters) {
      purge(state, now);
      const label = name.slice(name.lastIndexOf("\u0000") + 1);
      if (!current.has(label) && state.reservations.size === 0) counters.delete(name);
    }
  };

  return {
    async reserve(request) {
      const cost = checkMicroUsd(request.maxCostMicroUsd, "maxCostMicroUsd");
      const now = resolved.now();
      const planned = countersOf(request, now);
      if (++calls % SWEEP_EVERY === 0) sweep(now);
      const states = planned.map((counter) => stateOf(nameOf(request.tenant, request.key?.id, counter)));
      for (const [index, state] of states.entries()) {
        purge(state, now);
        const counter = planned[index] as BudgetCounter;
        if (counter.limitMicroUsd >= 0 && state.spent + state.reserved + cost > counter.limitMicroUsd) {
          emitSafely(resolved.onEvent, {
            type: "budget-exceeded",
            scope: counter.scope,
            period: counter.period,
            limitMicroUsd: counter.limitMicroUsd,
            spentMicroUsd: state.spent,
          });
          throw budgetExceededError(counter, { spent: state.spent, reserved: state.reserved, requested: cost, now });
        }
      }
      const id = randomUUID();
      for (const state of states) {
        state.reserved += cost;
        state.reservations.set(id, { amount: cost, expiresAt: now + resolved.reservationTtlMs });
      }
      return {
        id,
        tenant: request.tenant,
        ...(request.key ? { keyId: request.key.id } : {}),
        maxCostMicroUsd: cost,
        counters: planned,
        held: true,
      } satisfies Reservation;
    },
    async settle(reservation, actualMicroUsd) {
      const actual = checkMicroUsd(actualMicroUsd, "actualMicroUsd");
      for (const counter of reservation.counters) {
        const state = stateOf(nameOf(reservation.tenant, reservation.keyId, counter));
        const held = state.reservations.get(reservation.id);
        if (held) {
          state.reserved -= held.amount;
          state.reservations.delete(reservation.id);
        }
        state.spent += actual;
        const reached = thresholdReached(resolved.thresholdsPercent, state.spent, counter.limitMicroUsd);
        if (reached > state.notified) {
          const notifiedBefore = state.notified;
          state.notified = reached;
          reportThresholds(resolved, {
            reservation,
            counter,
            spent: state.spent,
            notifiedBefore,
            notifiedNow: reached,
          });
        }
      }
    },
    async status(query) {
      const now = resolved.now();
      const planned = countersOf(query, now);
      const figures = planned.map((counter) => {
        const state = counters.get(nameOf(query.tenant, query.key?.id, counter));
        if (!state) return { spent: 0, reserved: 0 };
        purge(state, now);
        return { spent: state.spent, reserved: state.reserved };
      });
      return statusOf(planned, figures, now);
    },
    health: () => ({ ok: true, kind: "memory" }),
    async close() {},
  };
}
