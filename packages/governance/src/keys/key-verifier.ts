import { KeelError } from "@keel/spec";
import { type ApiKeyRejection, type EventHook, emitSafely } from "../shared/events.ts";
import { errorMessage } from "../shared/redis-connection.ts";
import type { KeyBackend } from "./key-backend.ts";
import { keyStoreUnavailable } from "./key-store-errors.ts";
import { parseApiKey, secretMatches } from "./key-token.ts";
import { type ApiKey, publicView, type StoredApiKey } from "./key-types.ts";
import { LastUsedTracker } from "./last-used-tracker.ts";
import { VerificationCache } from "./verification-cache.ts";

export interface KeyVerifierOptions {
  backend: KeyBackend;
  verifyCacheMs: number;
  staleIfErrorMs: number;
  lastUsedEveryMs: number;
  maxCachedKeys: number;
  onEvent: EventHook | undefined;
  now: () => number;
}

export interface KeyVerifier {
  verify(token: string | undefined | null): Promise<ApiKey>;
  /** Drops a cached record after this instance changed it, so its own change applies at once. */
  forget(id: string): void;
  /** Waits for background lastUsedAt writes. */
  drain(): Promise<void>;
}

const REJECTED_MESSAGE = "invalid or missing API key";

/**
 * The hot path of authentication: parse, find the record (cached for verifyCacheMs, one
 * store read per id at a time, stale-if-error), compare the secret in constant time,
 * check revocation, and leave lastUsedAt to the background.
 */
export function createKeyVerifier(options: KeyVerifierOptions): KeyVerifier {
  const { backend, now } = options;
  const cache = new VerificationCache(options.maxCachedKeys);
  const lastUsed = new LastUsedTracker({ everyMs: options.lastUsedEveryMs, maxKeys: options.maxCachedKeys });
  const inFlight = new Map<string, Promise<StoredApiKey | undefined>>();

  const reject = (reason: ApiKeyRejection, keyId?: string): never => {
    emitSafely(options.onEvent, { type: "api-key-rejected", reason, ...(keyId ? { keyId } : {}) });
    throw new KeelError("UNAUTHENTICATED", REJECTED_MESSAGE, { details: { reason, ...(keyId ? { keyId } : {}) } });
  };

  // One store read per id at a time, however many requests arrive with that key at once.
  const readShared = (id: string): Promise<StoredApiKey | undefined> => {
    const running = inFlight.get(id);
    if (running !== undefined) return running;
    const read = backend.read(id).finally(() => inFlight.delete(id));
    inFlight.set(id, read);
    return read;
  };

  const lookup = async (id: string): Promise<StoredApiKey | undefined> => {
    const cached = cache.get(id);
    const at = now();
    if (cached && at - cached.readAt < options.verifyCacheMs) return cached.record;
    try {
      const record = await readShared(id);
      cache.set(id, record, now());
      return record;
    } catch (error) {
      if (cached && at - cached.readAt < options.staleIfErrorMs) {
        emitSafely(options.onEvent, { type: "api-key-stale-served", keyId: id, ageMs: at - cached.readAt });
        return cached.record;
      }
      throw keyStoreUnavailable("verify", error);
    }
  };

  const touch = (id: string) =>
    lastUsed.touch(id, now(), async () => {
      try {
        await backend.patch(id, { lastUsedAt: new Date(now()).toISOString() });
      } catch (error) {
        emitSafely(options.onEvent, {
          type: "governance-store-error",
          operation: "lastUsedAt",
          message: errorMessage(error),
        });
      }
    });

  return {
    async verify(token) {
      if (token === undefined || token === null || token === "") return reject("missing");
      const parsed = parseApiKey(token);
      if (!parsed) return reject("malformed");
      const record = await lookup(parsed.id);
      if (!record) return reject("unknown", parsed.id);
      // The secret is checked before revocation, so only its holder learns that a key was revoked.
      if (!secretMatches(record.secretHash, parsed)) return reject("wrong-secret", parsed.id);
      if (record.revokedAt) return reject("revoked", parsed.id);
      touch(parsed.id);
      return publicView(record);
    },
    forget: (id) => cache.delete(id),
    drain: () => lastUsed.drain(),
  };
}
