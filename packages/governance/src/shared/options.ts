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
  if (!isPositive(value, allowZero)) throw badOption(field, allowZero ? "a non-negative number" : "a positive number");
  return value;
}

/** An optional limit: absent stays absent; a present value must be a positive integer (or zero when allowed). */
export function optionalInteger(value: unknown, field: string, allowZero = false): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || !isPositive(value, allowZero)) {
    throw badOption(field, allowZero ? "a non-negative integer" : "a positive integer");
  }
  return value;
}

/** An optional amount (USD): absent stays absent; present must be a finite number ≥ 0. */
export function optionalAmount(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1e9) {
    throw badOption(field, "a non-negative amount of at most 1e9");
  }
  return value;
}

function isPositive(value: number, allowZero: boolean): boolean {
  return Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
}

export function badOption(field: string, expected: string): KeelError {
  return new KeelError("BAD_REQUEST", `${field} must be ${expected}`, { details: { field } });
}
