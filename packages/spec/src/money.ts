/**
 * Costs are kept to a whole nano-dollar (9 decimal places of a US dollar) wherever they
 * are computed, summed, shown or stored. Binary floating point cannot hold most decimal
 * fractions, so a plain sum of 0.0000243 and 0.0000012 prints as 0.000025499999999999996;
 * rounding each result to a fixed number of decimals prints 0.0000255. A nano-dollar is
 * finer than any price per token (the cheapest are tens of nano-dollars).
 */
export const USD_DECIMALS = 9;
const NANOS_PER_USD = 1_000_000_000;

/** A dollar amount rounded to whole nano-dollars: the value every cost field holds. */
export function roundUsd(usd: number): number {
  return Math.round(usd * NANOS_PER_USD) / NANOS_PER_USD;
}

/** The sum of dollar amounts, without floating-point noise. */
export function addUsd(left: number, right: number): number {
  return (Math.round(left * NANOS_PER_USD) + Math.round(right * NANOS_PER_USD)) / NANOS_PER_USD;
}

/** Whole nano-dollars, for integer storage (a Redis HINCRBY counter). */
export function toNanoUsd(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

export function fromNanoUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}
