/** One evaluation task: reads a JSONL file and reports a readable table and one summary object. */
export interface EvalReport {
  table: string;
  summary: Record<string, unknown>;
}

export interface EvalTask {
  readonly description: string;
  run(path: string): EvalReport | Promise<EvalReport>;
}

/** A two-column table of figures, numbers to four decimals. */
export function formatTable(title: string, rows: Record<string, number | string>): string {
  const width = Math.max(...Object.keys(rows).map((key) => key.length));
  const lines = Object.entries(rows).map(
    ([key, value]) => `${key.padEnd(width)}  ${typeof value === "number" ? formatNumber(value) : value}`,
  );
  return [title, "-".repeat(title.length), ...lines].join("\n");
}

export function round4(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10_000) / 10_000 : value;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
