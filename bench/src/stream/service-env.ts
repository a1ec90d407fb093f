import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The environment a stream bench starts Keel's services with: its ports, the bench's mock as the
 * only upstream, no config file, quiet logs, and a fresh data folder, so no API keys from an earlier
 * `pnpm start` decide whether the services run open. With `adminKey`, the services require keys.
 */
export function streamServiceEnv(options: {
  ports: { upstream: number; trpc: number; graphql: number; openAi: number };
  dataDirPrefix: string;
  adminKey?: string | undefined;
}): Record<string, string> {
  const { ports, dataDirPrefix, adminKey } = options;
  return {
    KEEL_SIMULATOR_PORT: String(ports.upstream),
    KEEL_TRPC_PORT: String(ports.trpc),
    KEEL_GRAPHQL_PORT: String(ports.graphql),
    KEEL_OPENAI_PORT: String(ports.openAi),
    OPENAI_API_KEY: "",
    KEEL_CONFIG: "",
    KEEL_LOG_LEVEL: "warn",
    KEEL_DATA_DIR: mkdtempSync(join(tmpdir(), dataDirPrefix)),
    ...(adminKey === undefined ? {} : { KEEL_BOOTSTRAP_ADMIN_KEY: adminKey }),
  };
}
