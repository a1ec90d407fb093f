import type { FailMode } from "../shared/events.ts";
import type { RedisOptions } from "../shared/redis-connection.ts";
import type { BudgetLedger, BudgetLedgerOptions } from "./budget-types.ts";
import { createMemoryBudgetLedger } from "./memory-budget-ledger.ts";
import { createRedisBudgetLedger } from "./redis-budget-ledger.ts";

/** Budgets shared on Redis when `redis` is given, else in this process's memory. */
export function createBudgetLedger(
  options: BudgetLedgerOptions & { redis?: RedisOptions; failMode?: FailMode } = {},
): BudgetLedger {
  const { redis, failMode, ...common } = options;
  return redis ? createRedisBudgetLedger({ ...common, redis, failMode }) : createMemoryBudgetLedger(common);
}
