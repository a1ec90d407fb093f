import { KeelError } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiKeyStore, ApiKeyStoreOptions } from "../keys/api-key-store.ts";
import { bootstrapAdminKey } from "../keys/bootstrap-admin-key.ts";
import { generateApiKey, parseApiKey } from "../keys/key-token.ts";
import type { ApiKey } from "../keys/key-types.ts";
import type { GovernanceEvent } from "../shared/events.ts";
import { NAUGHTY_STRINGS } from "./naughty-strings.ts";
import { eventually } from "./temporary-directory.ts";

/** Opens stores on one storage: two calls in one scope see the same keys (where the backend is shared). */
export type OpenStore = (options?: Partial<ApiKeyStoreOptions>) => ApiKeyStore;

export interface KeyStoreContractOptions {
  /** Gives each test a fresh, empty storage. */
  newScope(): OpenStore;
  /** True when two stores of one scope share their keys (file, Redis): cross-instance tests run. */
  shared: boolean;
}

async function rejection(promise: Promise<unknown>): Promise<KeelError> {
  try {
    await promise;
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a KeelError, got a result");
}

async function allKeys(store: ApiKeyStore, tenant?: string, limit = 100): Promise<ApiKey[]> {
  const keys: ApiKey[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ tenant, limit, cursor });
    keys.push(...page.keys);
    cursor = page.nextCursor;
  } while (cursor);
  return keys;
}

/** The behaviour every API key store has, whatever it stores keys in. */
export function describeKeyStoreContract(name: string, contract: KeyStoreContractOptions): void {
  describe(`API key store contract: ${name}`, () => {
    const opened: ApiKeyStore[] = [];
    const scope = () => {
      const open = contract.newScope();
      return (options?: Partial<ApiKeyStoreOptions>) => {
        const store = open(options);
        opened.push(store);
        return store;
      };
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it("issues a key once, stores no secret, and verifies it to its record", async () => {
      const store = scope()();
      const issued = await store.create({ tenant: "acme", role: "caller", name: "web app" });
      const parsed = parseApiKey(issued.key)!;
      expect(issued.record).toEqual({
        id: parsed.id,
        tenant: "acme",
        role: "caller",
        name: "web app",
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      const fetched = await store.get(parsed.id);
      expect(fetched).toEqual(issued.record);
      expect(JSON.stringify(fetched)).not.toContain(parsed.secret);
      expect(JSON.stringify(await store.list({ tenant: "acme" }))).not.toMatch(/sha256|secret/i);
      expect(await store.verify(issued.key)).toEqual(issued.record);
      expect(store.health().ok).toBe(true);
    });

    it("refuses every bad token with one message, the reason in details, and never the token", async () => {
      const events: GovernanceEvent[] = [];
      const store = scope()({ onEvent: (event) => events.push(event) });
      const issued = await store.create({ tenant: "acme", role: "caller", name: "k" });
      const revoked = await store.create({ tenant: "acme", role: "caller", name: "r" });
      await store.revoke(revoked.record.id);
      const parsed = parseApiKey(issued.key)!;
      const wrongSecret = `keel_${parsed.id}_${"A".repeat(43)}`;
      const unknown = generateApiKey();
      const cases: [string | undefined, string][] = [
        [undefined, "missing"],
        ["", "missing"],
        ["Bearer nonsense", "malformed"],
        [unknown, "unknown"],
        [wrongSecret, "wrong-secret"],
        [revoked.key, "revoked"],
      ];
      for (const [token, reason] of cases) {
        const error = await rejection(store.verify(token));
        expect(error.code).toBe("UNAUTHENTICATED");
        expect(error.message).toBe("invalid or missing API key");
        expect(error.details.reason).toBe(reason);
        const visible = JSON.stringify({ ...error.toJSON(), stack: error.stack });
        if (token) expect(visible).not.toContain(token);
        expect(visible).not.toContain(parsed.secret);
      }
      expect(events.map((event) => event.type === "api-key-rejected" && event.reason)).toEqual(cases.map(([, r]) => r));
      expect(JSON.stringify(events)).not.toContain(parsed.secret);
    });

    it("lists keys by tenant, in creation order, page by page, without duplicates or other tenants' keys", async () => {
      let clock = Date.parse("2025-03-01T00:00:00Z");
      const store = scope()({ now: () => clock });
      const created: ApiKey[] = [];
      for (let index = 0; index < 7; index++) {
        clock += index % 2 === 0 ? 1_000 : 0; // two keys may share a millisecond: the id breaks the tie
        created.push((await store.create({ tenant: "acme", role: "caller", name: `acme ${index}` })).record);
        await store.create({ tenant: "other", role: "caller", name: `other ${index}` });
      }
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ tenant: "acme", limit: 3, cursor });
        pages.push(page.keys.map((key) => key.id));
        expect(page.keys.every((key) => key.tenant === "acme")).toBe(true);
        cursor = page.nextCursor;
      } while (cursor);
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      const expected = [...created]
        .sort((left, right) => left.createdAt.localeCompare(right.createdAt) || (left.id < right.id ? -1 : 1))
        .map((key) => key.id);
      expect(pages.flat()).toEqual(expected);
      expect(new Set(pages.flat()).size).toBe(7);
      expect((await allKeys(store)).length).toBe(14);
      expect((await store.list({ tenant: "nobody" })).keys).toEqual([]);
      for (const bad of [{ limit: 0 }, { limit: 501 }, { limit: 2.5 }, { cursor: "x" }, { tenant: "" }]) {
        expect((await rejection(store.list(bad))).code).toBe("BAD_REQUEST");
      }
    });

    it("revokes idempotently, rotates to a new secret, and names an unknown key as BAD_REQUEST", async () => {
      const store = scope()({ verifyCacheMs: 0 });
      const issued = await store.create({ tenant: "acme", role: "reviewer", name: "k" });
      const rotated = await store.rotate(issued.record.id);
      expect(rotated.key).not.toBe(issued.key);
      expect(parseApiKey(rotated.key)!.id).toBe(issued.record.id);
      expect((await rejection(store.verify(issued.key))).details.reason).toBe("wrong-secret");
      expect((await store.verify(rotated.key)).role).toBe("reviewer");
      const first = await store.revoke(issued.record.id);
      expect(first.revokedAt).toBeDefined();
      expect((await store.revoke(issued.record.id)).revokedAt).toBe(first.revokedAt);
      expect((await rejection(store.verify(rotated.key))).details.reason).toBe("revoked");
      expect((await rejection(store.rotate(issued.record.id))).details.reason).toBe("revoked-key");
      for (const id of ["zzzzzzzzzzzz", "../../etc", ""]) {
        for (const operation of [
          () => store.revoke(id),
          () => store.rotate(id),
          () => store.update(id, { name: "x" }),
        ]) {
          const error = await rejection(operation());
          expect([error.code, error.details.reason]).toEqual(["BAD_REQUEST", "unknown-key"]);
        }
        expect(await store.get(id)).toBeUndefined();
      }
    });

    it("updates limits, budget, models and role; null removes a setting; a misspelt setting is refused", async () => {
      const store = scope()({ verifyCacheMs: 0 });
      const issued = await store.create({
        tenant: "acme",
        role: "caller",
        name: "k",
        allowedModels: ["gpt-4o-mini"],
        limits: { requestsPerMinute: 60 },
      });
      const updated = await store.update(issued.record.id, {
        limits: { requestsPerMinute: 10, tokensPerMinute: 5_000, concurrency: 2 },
        budget: { dailyUsd: 1.5, monthlyUsd: 20 },
        allowedModels: ["*"],
        role: "admin",
      });
      expect(updated).toMatchObject({
        limits: { requestsPerMinute: 10, tokensPerMinute: 5_000, concurrency: 2 },
        budget: { dailyUsd: 1.5, monthlyUsd: 20 },
        allowedModels: ["*"],
        role: "admin",
      });
      expect(await store.verify(issued.key)).toEqual(updated);
      const cleared = await store.update(issued.record.id, { limits: null, allowedModels: null });
      expect(cleared.limits).toBeUndefined();
      expect(cleared.allowedModels).toBeUndefined();
      expect(cleared.budget).toEqual({ dailyUsd: 1.5, monthlyUsd: 20 });
      const refused = [
        () => store.update(issued.record.id, { limits: { rpm: 5 } as never }),
        () => store.update(issued.record.id, { limits: { requestsPerMinute: -1 } }),
        () => store.update(issued.record.id, { limits: { concurrency: 1.5 } }),
        () => store.update(issued.record.id, { budget: { dailyUsd: Number.NaN } }),
        () => store.update(issued.record.id, { role: "owner" as never }),
        () => store.update(issued.record.id, { allowedModels: [""] }),
        () => store.create({ tenant: "acme", role: "root" as never, name: "k" }),
        () => store.create({ tenant: "", role: "caller", name: "k" }),
        () => store.create({ tenant: "x".repeat(129), role: "caller", name: "k" }),
        () => store.create({ tenant: "acme", role: "caller", name: "x".repeat(1_025) }),
      ];
      for (const operation of refused) expect((await rejection(operation())).code).toBe("BAD_REQUEST");
      expect(await store.get(issued.record.id)).toEqual(cleared);
    });

    // 515 creates: a file store writes its file 515 times, hence the longer time bound.
    it("stores and lists every naughty string as a key name intact, and refuses each as a token", async () => {
      const store = scope()();
      const ids = new Map<string, string>();
      for (const name of NAUGHTY_STRINGS) {
        const issued = await store.create({ tenant: "naughty", role: "caller", name });
        ids.set(issued.record.id, name);
      }
      const listed = await allKeys(store, "naughty", 500);
      expect(listed).toHaveLength(NAUGHTY_STRINGS.length);
      for (const key of listed) expect(key.name).toBe(ids.get(key.id));
      for (const token of NAUGHTY_STRINGS) {
        const error = await rejection(store.verify(token));
        expect(error.code).toBe("UNAUTHENTICATED");
        expect(["missing", "malformed"]).toContain(error.details.reason);
      }
    }, 30_000);

    it("bootstraps an operator's admin key idempotently and refreshes it after a revocation", async () => {
      const store = scope()({ verifyCacheMs: 0 });
      const key = generateApiKey();
      const first = await bootstrapAdminKey(store, key);
      const second = await bootstrapAdminKey(store, key);
      expect(second).toEqual(first);
      expect(first).toMatchObject({
        id: parseApiKey(key)!.id,
        tenant: "default",
        role: "admin",
        name: "bootstrap admin",
      });
      expect((await store.list()).keys).toHaveLength(1);
      expect((await store.verify(key)).role).toBe("admin");
      await store.revoke(first.id);
      expect((await rejection(store.verify(key))).details.reason).toBe("revoked");
      const refreshed = await bootstrapAdminKey(store, key);
      expect(refreshed.revokedAt).toBeUndefined();
      expect(refreshed.createdAt).toBe(first.createdAt);
      expect((await store.verify(key)).id).toBe(first.id);
      // A different secret under the same id replaces the old one: the operator changed the variable.
      const replaced = `keel_${first.id}_${"B".repeat(43)}`;
      await bootstrapAdminKey(store, replaced);
      expect((await rejection(store.verify(key))).details.reason).toBe("wrong-secret");
      expect((await store.verify(replaced)).id).toBe(first.id);
      const malformed = await rejection(bootstrapAdminKey(store, "keel_short_secret-value"));
      expect(malformed.code).toBe("BAD_REQUEST");
      expect(JSON.stringify(malformed.toJSON())).not.toContain("secret-value");
      expect((await rejection(bootstrapAdminKey(store, key, { tenant: "elsewhere" }))).code).toBe("BAD_REQUEST");
    });

    it("writes lastUsedAt in the background, at most once per period per key", async () => {
      let clock = Date.parse("2025-03-01T12:00:00Z");
      const store = scope()({ now: () => clock, verifyCacheMs: 0, lastUsedEveryMs: 60_000 });
      const issued = await store.create({ tenant: "acme", role: "caller", name: "k" });
      expect((await store.get(issued.record.id))?.lastUsedAt).toBeUndefined();
      await store.verify(issued.key);
      await eventually(async () => (await store.get(issued.record.id))?.lastUsedAt !== undefined, {
        message: "lastUsedAt written",
      });
      const firstUse = (await store.get(issued.record.id))?.lastUsedAt;
      expect(firstUse).toBe("2025-03-01T12:00:00.000Z");
      clock += 30_000;
      await store.verify(issued.key);
      // The write would be scheduled with setImmediate: 100 ms is far beyond it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await store.get(issued.record.id))?.lastUsedAt).toBe(firstUse);
      clock += 31_000;
      await store.verify(issued.key);
      await eventually(async () => (await store.get(issued.record.id))?.lastUsedAt === "2025-03-01T12:01:01.000Z", {
        message: "lastUsedAt written again after the period",
      });
    });

    if (contract.shared) {
      it("makes a revocation, a rotation and a change effective on another instance within verifyCacheMs", async () => {
        const open = scope();
        const admin = open({ verifyCacheMs: 200 });
        const edge = open({ verifyCacheMs: 200 });
        const issued = await admin.create({ tenant: "acme", role: "caller", name: "k" });
        expect((await edge.verify(issued.key)).name).toBe("k");
        await admin.update(issued.record.id, { name: "renamed" });
        await eventually(async () => (await edge.verify(issued.key)).name === "renamed", {
          timeoutMs: 1_000,
          message: "the change reached the other instance",
        });
        const rotated = await admin.rotate(issued.record.id);
        const rotatedAt = Date.now();
        await eventually(
          async () =>
            !(await edge.verify(issued.key).then(
              () => true,
              () => false,
            )),
          {
            timeoutMs: 1_000,
            message: "the old secret stopped working on the other instance",
          },
        );
        expect(Date.now() - rotatedAt).toBeLessThan(600);
        expect((await edge.verify(rotated.key)).id).toBe(issued.record.id);
        await admin.revoke(issued.record.id);
        const revokedAt = Date.now();
        let lastError: KeelError | undefined;
        await eventually(
          async () => {
            lastError = await edge.verify(rotated.key).then(
              () => undefined,
              (error: KeelError) => error,
            );
            return lastError !== undefined;
          },
          { timeoutMs: 1_000, message: "the revocation reached the other instance" },
        );
        expect(Date.now() - revokedAt).toBeLessThan(600);
        expect(lastError?.details.reason).toBe("revoked");
      });
    }
  });
}
