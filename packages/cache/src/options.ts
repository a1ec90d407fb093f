import { KeelError } from "@keel/spec";

/** A numeric option as given, what stands in when it is absent, and the name a bad value is reported under. */
export interface NumericOption {
  value: number | undefined;
  fallback: number;
  field: string;
  /** Zero is accepted too (never a negative number). */
  allowZero?: boolean;
}

/** Validates a numeric option; a bad value is a typed BAD_REQUEST naming the option. */
export function positiveOption({ value, fallback, field, allowZero = false }: NumericOption): number {
  if (value === undefined) return fallback;
  const valid = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!valid)
    throw new KeelError("BAD_REQUEST", `${field} must be a ${allowZero ? "non-negative" : "positive"} number`, {
      details: { field },
    });
  return value;
}
