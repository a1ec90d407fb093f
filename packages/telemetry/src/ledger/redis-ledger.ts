import { KeelError, addUsd, fromNanoUsd, roundUsd, toNanoUsd } from "@keel/spec";
import { type Cluster, Redis } from "ioredis";
import { buildReport, resolveQuery } from "./query.ts";
import {
  MONEY_FIELDS,
  USAGE_FIELDS,
  addEntry,
  addTotals,
  emptyTotals,
  type UsageEntry,
  type UsageField,
  type UsageLedger,
  type UsageQuery,
  type UsageReport,
  type UsageTotals,
} from "./types.ts";

export interface RedisLedgerOptions {
  /** redis://host:port[/db]. Ignored when `client` is given. */
  redisUrl?: string;
  /**
   * A client you own, `Redis` or `Cluster` (not closed by `close()`). Give it an offline
   * queue and no command timeout: a flush that timed out may still have been applied, and
   * writing its sums again would count them twice.
   */
  client?: Redis | Cluster;
  /** Key prefix; keys are `{prefix}:usage:{<tenant tag>}:{day}` (one Cluster slot per tenant). Default "keel". */
  keyPrefix?: string;
  /** How often buffered usage is written. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Keys expire this many days after their last write. Default 400. */
  retentionDays?: number;
  now?: () => number;
  /** Told about failed writes and reads; the ledger itself stays quiet. */
  onError?: (error: unknown, operation: "flush" | "query") => void;
}

/**
 * A ledger in Redis hashes, one per tenant and UTC day, fields `{model}|{field}`. Requests
 * only add to an in-process buffer; a timer writes it with HINCRBY in one pipeline (dollar
 * amounts as whole nano-dollars, fields `{model}|costNanoUsd`, so no float noise is stored). When Redis is down the buffer keeps the sums (its size is bounded by tenants
 * x days x models, not by traffic) and the next flush that works writes them: fail open.
 */
export function createRedisLedger(options: RedisLedgerOptions): UsageLedger {
  const prefix = options.keyPrefix ?? "keel";
  const now = options.now ?? Date.now;
  const retentionSeconds = (options.retentionDays ?? 400) * 86_400;
  const owned = options.client === undefined;
  const redis =
    options.client ??
    new Redis(options.redisUrl ?? "redis://127.0.0.1:6379", {
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
    });
  // Without a listener ioredis reports connection errors on stderr; they reach onError through failed commands instead.
  if (owned) redis.on("error", () => {});
  let pending: PendingSums = new Map();
  let flushing: Promise<void> | undefined;
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 1_000);
  timer.unref();

  const keyOf = (tenant: string, day: string) => `${prefix}:usage:{${tenantTag(tenant)}}:${day}`;

  function flush(): Promise<void> {
    flushing ??= write().finally(() => (flushing = undefined));
    return flushing;
  }

  async function write(): Promise<void> {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    // One pipeline per hash tag (tenant): on Redis Cluster a pipeline must stay in one slot,
    // and a tenant's days share its tag. Each tenant's sums succeed or go back on their own.
    const failures = await Promise.all(groupByTag(batch).map((group) => writeGroup(group)));
    const failure = failures.find((error) => error !== undefined);
    if (failure !== undefined) options.onError?.(failure, "flush");
  }

  async function writeGroup(group: PendingSums): Promise<unknown> {
    const pipeline = redis.pipeline();
    for (const [key, models] of group) {
      for (const [model, totals] of models) {
        for (const field of USAGE_FIELDS) {
          const value = totals[field];
          if (value === 0) continue;
          if (MONEY_FIELDS.has(field)) pipeline.hincrby(key, `${model}|${NANO_FIELD[field]}`, toNanoUsd(value));
          else pipeline.hincrby(key, `${model}|${field}`, value);
        }
      }
      pipeline.expire(key, retentionSeconds);
    }
    try {
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error !== null);
      if (results === null || failed !== undefined) throw failed?.[0] ?? new Error("pipeline discarded");
      return undefined;
    } catch (error) {
      // Put the sums back so the next flush writes them. A partly applied pipeline could
      // count some fields twice; Redis pipelines fail whole when the connection drops, which is the case met here.
      for (const [key, models] of group)
        for (const [model, totals] of models) mergeInto({ target: pending, key, model, totals });
      return error;
    }
  }

  return {
    record(entry: UsageEntry): void {
      const key = keyOf(entry.tenant, entry.day);
      let models = pending.get(key);
      if (models === undefined) {
        models = new Map();
        pending.set(key, models);
      }
      let totals = models.get(entry.model);
      if (totals === undefined) {
        totals = emptyTotals();
        models.set(entry.model, totals);
      }
      addEntry(totals, entry);
    },
    async query(query: UsageQuery): Promise<UsageReport> {
      const resolved = resolveQuery(query, now());
      await flush();
      let hashes: Array<[Error | null, unknown]> | null;
      try {
        const pipeline = redis.pipeline();
        for (const day of resolved.days) pipeline.hgetall(keyOf(resolved.tenant, day));
        hashes = await pipeline.exec();
        if (hashes === null || hashes.some(([error]) => error !== null)) throw new Error("usage read failed");
      } catch (error) {
        options.onError?.(error, "query");
        throw new KeelError("INTERNAL", "the usage ledger is unavailable", {
          cause: error,
          details: { reason: "ledger-unavailable" },
        });
      }
      const byDay = resolved.days.map((day, index) => ({
        day,
        models: parseHash(hashes![index]![1] as Record<string, string>),
      }));
      // Sums still buffered after a failed flush are part of the truth too.
      for (const entry of byDay) {
        const buffered = pending.get(keyOf(resolved.tenant, entry.day));
        if (buffered !== undefined) for (const [model, totals] of buffered) mergeModel(entry.models, model, totals);
      }
      return buildReport(resolved, byDay);
    },
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
      if (owned) redis.disconnect();
    },
  };
}

/**
 * A tenant's Redis Cluster hash tag: the name itself unless it holds a brace (which would end
 * the tag early and scatter the tenant's days over several slots), then "~" + base64url.
 */
function tenantTag(tenant: string): string {
  return /[{}]/.test(tenant) ? `~${Buffer.from(tenant, "utf8").toString("base64url")}` : tenant;
}

/** The pending sums split by the hash tag of their keys (the text between the first { and }). */
function groupByTag(batch: PendingSums): PendingSums[] {
  const groups = new Map<string, PendingSums>();
  for (const [key, models] of batch) {
    const open = key.indexOf("{");
    const tag = key.slice(open + 1, key.indexOf("}", open + 1));
    let group = groups.get(tag);
    if (group === undefined) {
      group = new Map();
      groups.set(tag, group);
    }
    group.set(key, models);
  }
  return [...groups.values()];
}

/** Ledger key (a tenant's day) -> model -> sums not yet written. */
type PendingSums = Map<string, Map<string, UsageTotals>>;

function parseHash(hash: Record<string, string>): Map<string, UsageTotals> {
  const models = new Map<string, UsageTotals>();
  for (const [name, value] of Object.entries(hash)) {
    const bar = name.lastIndexOf("|");
    if (bar === -1) continue;
    const model = name.slice(0, bar);
    const stored = name.slice(bar + 1);
    const money = Object.hasOwn(MONEY_BY_NANO_FIELD, stored) ? MONEY_BY_NANO_FIELD[stored] : undefined;
    const field = (money ?? stored) as UsageField;
    if (!(USAGE_FIELDS as readonly string[]).includes(field)) continue;
    let totals = models.get(model);
    if (totals === undefined) {
      totals = emptyTotals();
      models.set(model, totals);
    }
    if (money !== undefined) totals[field] = addUsd(totals[field], fromNanoUsd(Number(value)));
    // Ledgers written before nano-dollar fields kept dollars as floats (HINCRBYFLOAT): read them, rounded.
    else if (MONEY_FIELDS.has(field)) totals[field] = addUsd(totals[field], roundUsd(Number(value)));
    else totals[field] = Number(value);
  }
  return models;
}

/** Where each dollar field is kept in Redis, as whole nano-dollars. */
const NANO_FIELD: Partial<Record<UsageField, string>> = { costUsd: "costNanoUsd", savedUsd: "savedNanoUsd" };
const MONEY_BY_NANO_FIELD: Readonly<Record<string, UsageField>> = { costNanoUsd: "costUsd", savedNanoUsd: "savedUsd" };

/** One model's sums, to be added under `key` (a tenant's day) in `target`. */
interface Merge {
  target: Map<string, Map<string, UsageTotals>>;
  key: string;
  model: string;
  totals: UsageTotals;
}

function mergeInto({ target, key, model, totals }: Merge): void {
  let models = target.get(key);
  if (models === undefined) {
    models = new Map();
    target.set(key, models);
  }
  mergeModel(models, model, totals);
}

function mergeModel(models: Map<string, UsageTotals>, model: string, totals: UsageTotals): void {
  let existing = models.get(model);
  if (existing === undefined) {
    existing = emptyTotals();
    models.set(model, existing);
  }
  addTotals(existing, totals);
}
