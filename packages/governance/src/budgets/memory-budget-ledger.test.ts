import { describeBudgetLedgerContract } from "../test-support/budget-ledger-contract.ts";
import type { BudgetLedger, BudgetLedgerOptions } from "./budget-types.ts";
import { createMemoryBudgetLedger } from "./memory-budget-ledger.ts";

// In memory, "two instances" are one ledger: a process has one state. Hooks of every open() are kept.
describeBudgetLedgerContract("memory", () => {
  let shared: BudgetLedger | undefined;
  const hooks: NonNullable<BudgetLedgerOptions["onEvent"]>[] = [];
  return (options?: BudgetLedgerOptions) => {
    if (options?.onEvent) hooks.push(options.onEvent);
    shared ??= createMemoryBudgetLedger({ ...options, onEvent: (event) => hooks.at(0)?.(event) });
    return shared;
  };
});
