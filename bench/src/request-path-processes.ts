import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, startNodeProcess, type NodeProcess } from "@keel/testkit";
import type { LoadTarget } from "./open-loop.ts";
import { repoRoot } from "./repo-root.ts";
import { chatCompletionsTarget, graphqlGenerateTarget, trpcGenerateTarget } from "./request-targets.ts";

export type GatewayKind = "forwarder" | "trpc" | "graphql";

/** A gateway under load: its processes (two in the two-process mode) and the target that drives them. */
export interface Gateway {
  kind: GatewayKind | "upstream";
  processes: NodeProcess[];
  target: LoadTarget;
  /** Origins of its processes (http://127.0.0.1:port). */
  origins?: string[];
}

/** The mock upstream: the simulator at 0 ms (no time to first token, no per-token delay). */
export async function startUpstream(options: { cpu: number | undefined }) {
  const port = await freePort();
  const managed = await startNodeProcess({
    cwd: repoRoot,
    name: "upstream",
    entry: entryOf("packages/simulator", "cli", { build: "dist" }),
    nodeArgs: conditionsFor(entryOf("packages/simulator", "cli", { build: "dist" })),
    args: ["--port", String(port), "--ttft", "0", "--per-token", "0"],
    env: { NODE_ENV: "production" },
    readyUrl: `http://127.0.0.1:${port}/_sim/health`,
    cpu: options.cpu,
  });
  return { process: managed, port, origin: `http://127.0.0.1:${port}` };
}

export interface GatewayOptions {
  upstreamPort: number;
  /** One CPU for one process, or one CPU per process (the two-process mode starts one per entry); undefined entries: not pinned. */
  cpu: number | undefined | (number | undefined)[];
  build: "source" | "dist";
  nodeArgs: string[];
  workDirectory: string;
  /** Cache (and ledger, coalescing) in this Redis instead of memory. */
  redisUrl?: string;
  /** prom-client's default metrics (heap sizes) on /metrics: the soak reads the heap there. */
  defaultMetrics?: boolean;
  /** Another built copy of the repository to start the service from (a cost run's baseline); default this one. */
  root?: string;
  /** The target's name; default the kind. */
  name?: string;
  /** A config file's contents for Keel's services (KEEL_CONFIG), merged over defaultMetrics' one. */
  config?: Record<string, unknown>;
  /** More environment for Keel's services (KEEL_BOOTSTRAP_ADMIN_KEY, ...). */
  env?: Record<string, string>;
}

/**
 * Starts a gateway pointed at the upstream. Keel's services run as a production start
 * would: NODE_ENV=production, the provider named by OPENAI_BASE_URL/OPENAI_API_KEY, the
 * embedded default config otherwise (telemetry at info, safety and caches on), stdout to
 * /dev/null.
 */
export async function startGateway(kind: GatewayKind, options: GatewayOptions): Promise<Gateway> {
  const cpus = Array.isArray(options.cpu) ? options.cpu : [options.cpu];
  const processes: NodeProcess[] = [];
  const origins: string[] = [];
  for (const [index, cpu] of cpus.entries()) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const name = cpus.length > 1 ? `${options.name ?? kind}-${index + 1}` : (options.name ?? kind);
    processes.push(await startOne({ kind, options, port, cpu, name }));
    origins.push(origin);
  }
  const first = origins[0] as string;
  const label = options.name ?? kind;
  const target =
    kind === "forwarder"
      ? chatCompletionsTarget(label, `${first}/v1/chat/completions`)
      : kind === "trpc"
        ? trpcGenerateTarget(cpus.length > 1 ? `${label} ×${cpus.length}` : label, origins)
        : graphqlGenerateTarget(label, first);
  return { kind, processes, target, origins };
}

async function startOne(options: {
  kind: GatewayKind;
  options: GatewayOptions;
  port: number;
  cpu: number | undefined;
  name: string;
}): Promise<NodeProcess> {
  const { kind, port, cpu, name } = options;
  const settings = options.options;
  if (kind === "forwarder") {
    return startNodeProcess({
      cwd: repoRoot,
      name,
      entry: "bench/src/forwarder.ts",
      args: ["--port", String(port), "--upstream", `http://127.0.0.1:${settings.upstreamPort}/v1/chat/completions`],
      nodeArgs: settings.nodeArgs,
      env: { NODE_ENV: "production" },
      readyUrl: `http://127.0.0.1:${port}/healthz`,
      cpu,
    });
  }
  let configFile = "";
  if (settings.defaultMetrics || settings.config) {
    configFile = join(settings.workDirectory, `${name}-config.json`);
    const metrics = settings.defaultMetrics ? { telemetry: { metrics: { defaultMetrics: true } } } : {};
    writeFileSync(configFile, JSON.stringify({ ...metrics, ...settings.config }));
  }
  const root = settings.root ?? repoRoot;
  const entry = entryOf(`apps/${kind}`, "main", { build: settings.build, root });
  return startNodeProcess({
    cwd: root,
    name,
    entry,
    nodeArgs: [...conditionsFor(entry), ...memoryFlags(), ...settings.nodeArgs],
    env: {
      NODE_ENV: "production",
      OPENAI_API_KEY: "bench",
      OPENAI_BASE_URL: `http://127.0.0.1:${settings.upstreamPort}/v1`,
      KEEL_CONFIG: configFile,
      KEEL_TRPC_PORT: String(port),
      KEEL_GRAPHQL_PORT: String(port),
      KEEL_LOG_LEVEL: "",
      KEEL_WORKERS: "",
      REDIS_URL: settings.redisUrl ?? "",
      ...settings.env,
    },
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    // tsx compiling on a busy machine can take longer than testkit's default 20 s.
    readyTimeoutMs: 60_000,
    cpu,
  });
}

/**
 * The V8 memory flags of `start:prod:small-heap` (apps/*\/package.json; see the root README's
 * Production section). BENCH_MEMORY_FLAGS=1 passes them to the services; by default they run
 * with V8's defaults, as `start:prod` does (the flags cost ~10 % CPU per request at 500/s).
 */
export const SMALL_HEAP_FLAGS = ["--max-semi-space-size=4", "--heap-growing-percent=50"];

function memoryFlags(): string[] {
  return process.env.BENCH_MEMORY_FLAGS === "1" ? SMALL_HEAP_FLAGS : [];
}

/** Built entries import the workspace packages' dist/ (the `keel-dist` export condition), as `pnpm start:prod` does. */
function conditionsFor(entry: string): string[] {
  return entry.endsWith(".js") ? ["--conditions=keel-dist"] : [];
}

/** `pnpm build`'s JavaScript when asked for and present, else the TypeScript source under tsx. */
function entryOf(workspace: string, name: string, from: { build: "source" | "dist"; root?: string }): string {
  const built = join(workspace, "dist", `${name}.js`);
  return from.build === "dist" && existsSync(join(from.root ?? repoRoot, built))
    ? built
    : join(workspace, "src", `${name}.ts`);
}
