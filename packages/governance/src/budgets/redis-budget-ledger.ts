import { randomUUID } from "node:crypto";
import { emitSafely, type FailMode } from "../shared/events.ts";
import { tenantTag } from "../shared/identifiers.ts";
import { connectRedis, errorMessage, type RedisOptions } from "../shared/redis-connection.ts";
import {
  budgetExceededError,
  checkMicroUsd,
  countersOf,
  ledgerUnavailableError,
  reportThresholds,
  resolveLedgerOptions,
  statusOf,
} from "./budget-plan.ts";
import { RESERVE_SCRIPT, SETTLE_SCRIPT, STATUS_SCRIPT } from "./budget-scripts.ts";
import type { BudgetCounter, BudgetLedger, BudgetLedgerOptions, Reservation } from "./budget-types.ts";
import { COUNTER_TTL_MS } from "./periods.ts";

export interface RedisBudgetLedgerOptions extends BudgetLedgerOptions {
  redis: RedisOptions;
  /** When Redis fails or is too slow at reserve: `open` lets the call through unreserved (default), `closed` refuses. */
  failMode?: FailMode;
}

/**
 * Budgets shared by every instance: reserve and settle are one Lua script each. Keys:
 * `<prefix>budget:{<tenant tag>}:tenant:<day|month>:<label>` and
 * `<prefix>budget:{<tenant tag>}:key:<id>:<day|month>:<label>`, each with `:expiries`.
 */
export function createRedisBudgetLedger(options: RedisBudgetLedgerOptions): BudgetLedger {
  const resolved = resolveLedgerOptions(options);
  const failMode = options.failMode ?? "open";
  const connection = connectRedis(options.redis);
  const reserveScript = connection.script("BudgetReserve", RESERVE_SCRIPT);
  const settleScript = connection.script("BudgetSettle", SETTLE_SCRIPT);
  const statusScript = connection.script("BudgetStatus", STATUS_SCRIPT);

  const keysOf = (tenant: string, keyId: string | undefined, counters: readonly BudgetCounter[]) =>
    counters.flatMap((counter) => {
      const scope = counter.scope === "key" ? `key:${tenantTag(keyId ?? "")}` : "tenant";
      const hash = `${connection.prefix}budget:{${tenantTag(tenant)}}:${scope}:${counter.period}:${counter.label}`;
      return [hash, `${hash}:expiries`];
    });
  const limitsOf = (counters: readonly BudgetCounter[]) =>
    counters.flatMap((counter) => [counter.limitMicroUsd, COUNTER_TTL_MS[counter.period]]);

  return {
    async reserve(request) {
      const cost = checkMicroUsd(request.maxCostMicroUsd, "maxCostMicroUsd");
      const now = resolved.now();
      const counters = countersOf(request, now);
      const id = randomUUID();
      const reservation: Reservation = {
        id,
        tenant: request.tenant,
        ...(request.key ? { keyId: request.key.id } : {}),
        maxCostMicroUsd: cost,
        counters,
        held: true,
      };
      let reply: number[];
      try {
        reply = (await reserveScript(keysOf(request.tenant, request.key?.id, counters), [
          id,
          cost,
          resolved.reservationTtlMs,
          ...limitsOf(counters),
        ])) as number[];
      } catch (error) {
        emitSafely(resolved.onEvent, {
          type: "governance-unavailable",
          part: "budget-ledger",
          failMode,
          operation: "reserve",
          message: errorMessage(error),
        });
        if (failMode === "closed") throw ledgerUnavailableError(error);
        return { ...reservation, held: false };
      }
      const refused = reply[0] ?? 0;
      if (refused > 0) {
        const counter = counters[refused - 1] as BudgetCounter;
        const spent = reply[1 + (refused - 1) * 2] ?? 0;
        const reserved = reply[2 + (refused - 1) * 2] ?? 0;
        emitSafely(resolved.onEvent, {
          type: "budget-exceeded",
          scope: counter.scope,
          period: counter.period,
          limitMicroUsd: counter.limitMicroUsd,
          spentMicroUsd: spent,
        });
        throw budgetExceededError(counter, { spent, reserved, requested: cost, now });
      }
      return reservation;
    },
    async settle(reservation, actualMicroUsd) {
      const actual = checkMicroUsd(actualMicroUsd, "actualMicroUsd");
      let reply: number[];
      try {
        reply = (await settleScript(keysOf(reservation.tenant, reservation.keyId, reservation.counters), [
          reservation.id,
          actual,
          resolved.thresholdsPercent.length,
          ...resolved.thresholdsPercent,
          ...limitsOf(reservation.counters),
        ])) as number[];
      } catch (error) {
        emitSafely(resolved.onEvent, {
          type: "governance-store-error",
          operation: "settle",
          message: errorMessage(error),
        });
        return;
      }
      reservation.counters.forEach((counter, index) => {
        const spent = reply[index * 3] ?? 0;
        const notifiedBefore = reply[index * 3 + 1] ?? 0;
        const notifiedNow = reply[index * 3 + 2] ?? 0;
        if (notifiedNow > notifiedBefore)
          reportThresholds(resolved, { reservation, counter, spent, notifiedBefore, notifiedNow });
      });
    },
    async status(query) {
      const now = resolved.now();
      const counters = countersOf(query, now);
      let reply: number[];
      try {
        reply = (await statusScript(keysOf(query.tenant, query.key?.id, counters), [])) as number[];
      } catch (error) {
        throw ledgerUnavailableError(error);
      }
      const figures = counters.map((_, index) => ({
        spent: reply[index * 2] ?? 0,
        reserved: reply[index * 2 + 1] ?? 0,
      }));
      return statusOf(counters, figures, now);
    },
    health: () => connection.health(),
    close: () => connection.close(),
  };
}
