import { KEEL_ERROR_CODES, type KeelErrorCode } from "@keel/spec";
import { LATENCY_BUCKET_COUNT } from "./latency-buckets.ts";

/** Per-slot counters, by index into a slot's field block. */
export const FIELD = {
  requests: 0,
  errors: 1,
  rejected: 2,
  cacheLookups: 3,
  cacheHits: 4,
  inputTokens: 5,
  outputTokens: 6,
  costUsd: 7,
  savedUsd: 8,
  latencyCount: 9,
  latencySumMs: 10,
} as const;
/** After the fixed fields, one counter per Keel error code (failed and rejected requests alike). */
const CODE_BASE = 11;
export const ERROR_CODE_FIELD: Readonly<Record<KeelErrorCode, number>> = Object.fromEntries(
  KEEL_ERROR_CODES.map((code, index) => [code, CODE_BASE + index]),
) as Record<KeelErrorCode, number>;
const FIELD_COUNT = CODE_BASE + KEEL_ERROR_CODES.length;

/** One finished request, as the rings count it. Reused across requests: fill, add, forget. */
export class Sample {
  error = false;
  rejected = false;
  cacheLookup = false;
  cacheHit = false;
  inputTokens = 0;
  outputTokens = 0;
  costUsd = 0;
  savedUsd = 0;
  /** Latency of a request that did not fail, or -1: failures are left out of percentiles. */
  latencyMs = -1;
  latencyBucket = 0;
  /** The Keel code of a failed or rejected request, else undefined. */
  errorCode: KeelErrorCode | undefined = undefined;
}

/** Sums over a span of slots: counters and the merged latency histogram. */
export class Aggregate {
  readonly fields = new Float64Array(FIELD_COUNT);
  readonly latency = new Uint32Array(LATENCY_BUCKET_COUNT);
  reset(): void {
    this.fields.fill(0);
    this.latency.fill(0);
  }
  get(field: number): number {
    return this.fields[field] ?? 0;
  }
}

/**
 * A time-bucketed ring: `slots` buckets of `widthMs` each. Memory is fixed at creation;
 * a slot is reset lazily when time comes round to it again, so an idle ring costs nothing.
 */
export class Ring {
  private readonly epochs: Float64Array;
  private readonly fields: Float64Array;
  private readonly latency: Uint32Array;

  constructor(
    readonly widthMs: number,
    readonly slots: number,
  ) {
    this.epochs = new Float64Array(slots).fill(-1);
    this.fields = new Float64Array(slots * FIELD_COUNT);
    this.latency = new Uint32Array(slots * LATENCY_BUCKET_COUNT);
  }

  add(nowMs: number, sample: Sample): void {
    const epoch = Math.floor(nowMs / this.widthMs);
    const slot = epoch % this.slots;
    const base = slot * FIELD_COUNT;
    const fields = this.fields;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      fields.fill(0, base, base + FIELD_COUNT);
      this.latency.fill(0, slot * LATENCY_BUCKET_COUNT, (slot + 1) * LATENCY_BUCKET_COUNT);
    }
    fields[base]! += 1;
    if (sample.error) fields[base + FIELD.errors]! += 1;
    if (sample.rejected) fields[base + FIELD.rejected]! += 1;
    if (sample.cacheLookup) fields[base + FIELD.cacheLookups]! += 1;
    if (sample.cacheHit) fields[base + FIELD.cacheHits]! += 1;
    fields[base + FIELD.inputTokens]! += sample.inputTokens;
    fields[base + FIELD.outputTokens]! += sample.outputTokens;
    fields[base + FIELD.costUsd]! += sample.costUsd;
    fields[base + FIELD.savedUsd]! += sample.savedUsd;
    if (sample.errorCode !== undefined) fields[base + ERROR_CODE_FIELD[sample.errorCode]]! += 1;
    if (sample.latencyMs >= 0) {
      fields[base + FIELD.latencyCount]! += 1;
      fields[base + FIELD.latencySumMs]! += sample.latencyMs;
      this.latency[slot * LATENCY_BUCKET_COUNT + sample.latencyBucket]! += 1;
    }
  }

  /**
   * Adds into `into` the slots covering `spanMs` that end `endOffsetMs` before now. The
   * current slot is partly filled, so a window covers between spanMs - widthMs and spanMs.
   */
  sum(options: { nowMs: number; spanMs: number; endOffsetMs?: number }, into: Aggregate): void {
    const lastEpoch = Math.floor((options.nowMs - (options.endOffsetMs ?? 0)) / this.widthMs);
    const count = Math.min(this.slots, Math.max(1, Math.round(options.spanMs / this.widthMs)));
    for (let epoch = lastEpoch - count + 1; epoch <= lastEpoch; epoch++) {
      if (epoch < 0) continue;
      const slot = epoch % this.slots;
      if (this.epochs[slot] !== epoch) continue;
      const base = slot * FIELD_COUNT;
      for (let field = 0; field < FIELD_COUNT; field++) into.fields[field]! += this.fields[base + field]!;
      const latencyBase = slot * LATENCY_BUCKET_COUNT;
      for (let bucket = 0; bucket < LATENCY_BUCKET_COUNT; bucket++)
        into.latency[bucket]! += this.latency[latencyBase + bucket]!;
    }
  }
}
