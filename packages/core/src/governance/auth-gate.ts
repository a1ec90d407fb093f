import { bootstrapAdminKey, type ApiKeyStore } from "@keel/governance";
import { KeelError } from "@keel/spec";
import type { KeelConfig } from "../config/schema.ts";
import { StartupError } from "../service/startup-error.ts";

export type AuthMode = KeelConfig["auth"]["mode"];

/**
 * Whether requests must carry an API key. `keys`: always. `none`: never. `auto` (the
 * default): once any key exists; until then Keel runs open (tenant "default") and looks
 * again at most every `recheckMs`, so the first key created anywhere (CLI, admin API,
 * another instance) turns authentication on within seconds. Once on, it stays on.
 */
export interface AuthGate {
  readonly mode: AuthMode;
  /** Installs KEEL_BOOTSTRAP_ADMIN_KEY (once) and reads whether keys exist. A StartupError when the store cannot be used. */
  prepare(): Promise<void>;
  /** Whether this request must authenticate. */
  required(): Promise<boolean>;
  /** One line for the start banner: on or off, and why. */
  describe(): Promise<string>;
}

export function createAuthGate(options: {
  config: KeelConfig;
  keys: ApiKeyStore;
  /** How often `auto` looks for a first key while off. Default 2,000 ms (the key store's verify cache). */
  recheckMs?: number;
  /**
   * How long `prepare` keeps trying a store that does not answer. Default 3,000 ms (as the
   * governance stores' readiness wait). One try is bounded by redis.commandTimeoutMs (250 ms),
   * and a start stalls the event loop for that long on a busy CPU (module loading, safety
   * models), so a single late answer must not fail the start.
   */
  prepareWithinMs?: number;
  onTurnedOn?: () => void;
}): AuthGate {
  const { config, keys } = options;
  const mode = config.auth.mode;
  const recheckMs = options.recheckMs ?? config.auth.verifyCacheMs;
  let on = mode === "keys";
  let checkedAt = Number.NEGATIVE_INFINITY;
  let checking: Promise<boolean> | undefined;
  let prepared: Promise<void> | undefined;

  const look = async (): Promise<boolean> => {
    const page = await keys.list({ limit: 1 });
    checkedAt = Date.now();
    if (page.keys.length > 0 && !on) {
      on = true;
      options.onTurnedOn?.();
    }
    return on;
  };

  const prepareOnce = async () => {
    const bootstrap = config.auth.bootstrapAdminKey;
    if (bootstrap !== undefined && mode !== "none") {
      await bootstrapAdminKey(keys, bootstrap, { tenant: config.auth.bootstrapTenant });
    }
    if (mode === "auto") await look();
  };

  const prepare = () => {
    prepared ??= (async () => {
      const until = Date.now() + (options.prepareWithinMs ?? 3_000);
      try {
        for (;;) {
          try {
            await prepareOnce();
            return;
          } catch (error) {
            // Only an unreachable store is worth another try; a refused bootstrap key is not.
            const retryable = KeelError.isInstance(error) && error.code === "UPSTREAM_UNAVAILABLE";
            if (!retryable || Date.now() >= until) throw error;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      } catch (error) {
        throw new StartupError(
          `cannot use the API key store (${storeWhere(config)}): ${KeelError.isInstance(error) ? error.message : String(error)}. ` +
            "Check Redis (REDIS_URL) or the data directory (KEEL_DATA_DIR), or set auth.mode: none to run without keys.",
        );
      }
    })();
    return prepared;
  };

  return {
    mode,
    prepare,
    async required() {
      if (mode !== "auto" || on) return on;
      await prepare().catch(() => {});
      if (on || Date.now() - checkedAt < recheckMs) return on;
      // One look at a time; requests in between share it. A store that cannot be read keeps the current state.
      checking ??= look()
        .catch(() => on)
        .finally(() => {
          checking = undefined;
        });
      return checking;
    },
    async describe() {
      await prepare();
      if (mode === "none") return 'Authentication is off (auth.mode: none): every request is tenant "default".';
      if (on) return "Authentication is on: callers send Authorization: Bearer keel_<id>_<secret>.";
      return (
        'Authentication is off: no API key exists yet, so every request is tenant "default" (loopback only). ' +
        "Create a key (pnpm keel keys create --tenant <name> --role admin) to turn it on."
      );
    },
  };
}

function storeWhere(config: KeelConfig): string {
  return config.redis ? "Redis" : `${config.dataDir}/api-keys.json`;
}
