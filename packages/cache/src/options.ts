import { KeelError } from "@keel/spec";

/** Validates a numeric option; a bad value is a typed BAD_REQUEST naming the option. */
export function positiveOption(value: number | undefined, fallback: number, field: string, allowZero = false): number {
  if (value === undefined) return fallback;
  const valid = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!valid)
    throw new KeelError("BAD_REQUEST", `${field} must be a ${allowZero ? "non-negative" : "positive"} number`, {
      details: { field },
    });
  return value;
}
