import { addUsd } from "@keel/spec";
import type { Registry } from "prom-client";

/**
 * Histogram and counter for the per-request hot path. prom-client hashes the label object
 * on every observe() even through a `labels()` child (a fifth of telemetry's time per
 * request in profiles); these keep one series object per label set, resolved once, and
 * hand prom-client's Registry the same shape its own metrics produce when scraped.
 */
type Labels = Record<string, string>;

interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index++;
    if (index < bounds.length) this.counts[index]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

export class CounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(amount = 1): void {
    this.value += amount;
  }
  /** For dollar counters: the sum in whole nano-dollars, so /metrics shows no float noise. */
  incUsd(amount: number): void {
    this.value = addUsd(this.value, amount);
  }
}

abstract class FastMetric<Series extends { labels: Labels }> {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series for these labels; call once per label set and keep the result. */
  child(labels: Labels): Series {
    const key = JSON.stringify(labels);
    let series = this.series.get(key);
    if (series === undefined) {
      series = this.create(labels);
      this.series.set(key, series);
    }
    return series;
  }

  protected abstract create(labels: Labels): Series;
  protected abstract values(series: Series, into: MetricValue[]): void;

  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: string } {
    const values: MetricValue[] = [];
    for (const series of this.series.values()) this.values(series, values);
    return { name: this.name, help: this.help, type: this.type, values, aggregator: "sum" };
  }

  abstract readonly type: string;
}

export class FastHistogram extends FastMetric<HistogramSeries> {
  readonly type = "histogram";

  constructor(options: { name: string; help: string; buckets: readonly number[]; registry: Registry }) {
    super(options.name, options.help, options.registry);
    this.buckets = options.buckets;
  }

  private readonly buckets: readonly number[];

  protected create(labels: Labels): HistogramSeries {
    return new HistogramSeries(labels, this.buckets);
  }

  protected values(series: HistogramSeries, into: MetricValue[]): void {
    // Like prom-client: a label set appears once it has observed something.
    if (series.count === 0) return;
    let cumulative = 0;
    this.buckets.forEach((bound, index) => {
      cumulative += series.counts[index]!;
      into.push({
        value: cumulative,
        labels: { ...series.labels, le: String(bound) },
        metricName: `${this.name}_bucket`,
      });
    });
    into.push({ value: series.count, labels: { ...series.labels, le: "+Inf" }, metricName: `${this.name}_bucket` });
    into.push({ value: series.sum, labels: series.labels, metricName: `${this.name}_sum` });
    into.push({ value: series.count, labels: series.labels, metricName: `${this.name}_count` });
  }
}

export class FastCounter extends FastMetric<CounterSeries> {
  readonly type = "counter";

  protected create(labels: Labels): CounterSeries {
    return new CounterSeries(labels);
  }

  protected values(series: CounterSeries, into: MetricValue[]): void {
    if (series.value === 0) return;
    into.push({ value: series.value, labels: series.labels });
  }
}
