import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createPipeline, parseConfig, type KeelConfigInput, type Pipeline, type ServiceHost } from "@keel/core";
import { generateApiKey } from "@keel/governance";
import { startGraphqlService } from "@keel/graphql";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { createLogger } from "@keel/telemetry";
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { startTrpcService } from "@keel/trpc";
import { afterAll, afterEach, beforeAll } from "vitest";
import { serviceClient, type ServiceClient, type ServiceKind } from "./service-client.ts";

/** One simulator and one Redis per test file; stacks are closed after each test. */
export const shared: { simulator: SimulatorHandle; redis: RedisServerHandle } = {} as never;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [shared.simulator, shared.redis] = await Promise.all([startSimulator({ port: 0 }), startRedisServer()]);
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  shared.simulator.reset();
});
afterAll(async () => {
  await Promise.all([shared.simulator.close(), shared.redis.stop()]);
});

export interface GovernedStack {
  kind: ServiceKind;
  pipeline: Pipeline;
  host: ServiceHost;
  /** The admin key installed as KEEL_BOOTSTRAP_ADMIN_KEY would be (tenant "ops"). */
  adminKey: string;
  /** A client of this service presenting `key` (none: no Authorization at all). */
  client(key?: string): ServiceClient;
  /** Creates a key through the admin API; the full key string. */
  issue(input: Record<string, unknown>): Promise<{ id: string; key: string }>;
  /** Every line the pipeline logged, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** The raw log text. */
  logText(): string;
}

let prefixes = 0;

/** A Redis key prefix no other stack in the run uses. */
export function freshPrefix(): string {
  return `governance-e2e-${process.pid}-${++prefixes}:`;
}

/**
 * One service of `kind` on its own pipeline, with authentication on (a bootstrap admin
 * key), keys, limits and budgets on the shared Redis under `prefix` (two stacks with one
 * prefix are two instances of one deployment), and its log lines captured.
 */
export async function startGoverned(
  kind: ServiceKind,
  options: { config?: Partial<KeelConfigInput>; prefix?: string; adminKey?: string } = {},
): Promise<GovernedStack> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const adminKey = options.adminKey ?? generateApiKey();
  const dataDir = mkdtempSync(join(tmpdir(), "keel-governance-e2e-"));
  const { models, ...rest } = options.config ?? {};
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: shared.simulator.url, apiKey: "sk-upstream-SECRET-0123456789" } },
      models: {
        chat: { targets: ["sim/gpt-4o-mini", "sim/gpt-4.1-mini"] },
        solo: { targets: ["sim/gpt-4o"] },
        ...models,
      },
      embeddingModels: { "text-embedding-3-small": "sim/text-embedding-3-small" },
      defaults: { policy: { retry: { maxAttempts: 2, baseDelayMs: 5 }, breaker: false } },
      redis: { url: shared.redis.url, keyPrefix: options.prefix ?? freshPrefix(), commandTimeoutMs: 2_000 },
      dataDir,
      auth: { mode: "keys", bootstrapAdminKey: adminKey, bootstrapTenant: "ops", verifyCacheMs: 500 },
      services: { shutdownGraceMs: 200 },
      telemetry: { log: { level: "info" } },
      ...rest,
    }),
    { logger: createLogger({ level: "info", destination }) },
  );
  const start = kind === "trpc" ? startTrpcService : startGraphqlService;
  const host = await start({ pipeline, host: "127.0.0.1", port: 0 });
  closers.push(async () => {
    await host.shutdown();
    await pipeline.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const admin = serviceClient(kind, host.url, adminKey);
  return {
    kind,
    pipeline,
    host,
    adminKey,
    client: (key) => serviceClient(kind, host.url, key),
    async issue(input) {
      const created = await admin.createKey(input);
      if (!created.ok) throw new Error(`createKey failed: ${created.error.code} ${created.error.message}`);
      return { id: created.value.id, key: created.value.key };
    },
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    logText: () => lines.join("\n"),
  };
}

/** A chat request as a caller writes it; the cache is bypassed unless `cache` says otherwise. */
export function chat(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: "chat", messages: [{ role: "user", content }], cache: { mode: "bypass" }, ...extra };
}

/** Upstream chat and embedding calls the simulator has received. */
export const upstreamCalls = () => shared.simulator.stats().totalCalls;
