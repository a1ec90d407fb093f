/**
 * How the dashboard writes its figures. The browser tests format the metrics snapshot with
 * these same functions and compare, so a figure on screen is the snapshot's, not a copy.
 */

export const EMPTY = "—";

export function formatCount(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** Requests per second. */
export function formatRate(value: number): string {
  return `${value.toFixed(value >= 10 ? 1 : 2)}/s`;
}

export function formatMs(value: number | null): string {
  if (value === null) return EMPTY;
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ms`;
}

export function formatPercent(value: number | null): string {
  return value === null ? EMPTY : `${(value * 100).toFixed(1)} %`;
}

/** Dollars: four decimals from a cent up, three significant digits below (a request costs fractions of a cent). */
export function formatUsd(value: number | null): string {
  if (value === null) return EMPTY;
  if (value === 0) return "$0";
  return value >= 0.01 ? `$${value.toFixed(4)}` : `$${Number(value.toPrecision(3)).toString()}`;
}

/** Tokens per request, one decimal. */
export function formatPerRequest(total: number, requests: number): string {
  return requests === 0 ? EMPTY : (total / requests).toFixed(1);
}

/** UTC, to the second: "2026-12-02 04:31:05 UTC". */
export function formatTime(value: string | number): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? EMPTY : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
