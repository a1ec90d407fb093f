/** The OpenTelemetry fallback value, used for a label value past the limit. */
export const OTHER_LABEL = "_OTHER";

/**
 * Keeps one label's distinct values bounded: the first `max` values seen pass through,
 * later ones become "_OTHER". Request model names come from callers, so without this a
 * caller could grow the Prometheus series without bound.
 */
export class LabelLimiter {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}

  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.max) return OTHER_LABEL;
    this.seen.add(raw);
    return raw;
  }
}
