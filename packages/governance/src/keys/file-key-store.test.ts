import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { describeKeyStoreContract } from "../test-support/key-store-contract.ts";
import { temporaryDirectory } from "../test-support/temporary-directory.ts";
import { createApiKeyStore } from "./api-key-store.ts";

// The contract writes hundreds of keys: on a memory-backed directory; the tests below use the real disk.
const fastRoot = temporaryDirectory("file-keys-shm", { memoryBacked: true });
const root = temporaryDirectory("file-keys");
let scopes = 0;
const freshDirectory = (base = root) => join(base, `scope-${++scopes}`);

describeKeyStoreContract("JSON file", {
  newScope: () => {
    const dataDir = freshDirectory(fastRoot);
    return (options) => createApiKeyStore({ ...options, dataDir });
  },
  shared: true,
});

describe("the JSON file key store", () => {
  it("keeps keys across a restart in one file of mode 0600, holding hashes and no secret", async () => {
    const dataDir = freshDirectory();
    const before = createApiKeyStore({ dataDir });
    const issued = await before.create({ tenant: "acme", role: "admin", name: "ops" });
    await before.close();
    const file = join(dataDir, "api-keys.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(issued.key.split("_").slice(2).join("_"));
    expect(JSON.parse(text)).toMatchObject({
      version: 1,
      keys: [{ id: issued.record.id, secretHash: expect.stringMatching(/^sha256:/) }],
    });
    const after = createApiKeyStore({ dataDir });
    expect(await after.verify(issued.key)).toEqual(issued.record);
    await after.close();
    expect(readdirSync(dataDir).sort()).toEqual(["api-keys.json"]);
  });

  it("loses no write when two stores in one process create keys concurrently", async () => {
    const dataDir = freshDirectory();
    const left = createApiKeyStore({ dataDir });
    const right = createApiKeyStore({ dataDir });
    const issued = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? left : right).create({ tenant: "acme", role: "caller", name: `k${index}` }),
      ),
    );
    const listed = await createApiKeyStore({ dataDir }).list({ tenant: "acme", limit: 500 });
    expect(listed.keys.map((key) => key.id).sort()).toEqual(issued.map((key) => key.record.id).sort());
    for (const key of issued) expect((await right.verify(key.key)).id).toBe(key.record.id);
    await Promise.all([left.close(), right.close()]);
  });

  it("sees keys another process wrote (the file changed under it) and keeps them when it writes", async () => {
    const dataDir = freshDirectory();
    const service = createApiKeyStore({ dataDir, verifyCacheMs: 0 });
    const first = await service.create({ tenant: "acme", role: "caller", name: "first" });
    // Another process (the CLI) appends a key to the same file.
    const cli = createApiKeyStore({ dataDir });
    const second = await cli.create({ tenant: "acme", role: "caller", name: "second" });
    expect((await service.verify(second.key)).name).toBe("second");
    await service.revoke(first.record.id);
    const names = (await cli.list({ tenant: "acme" })).keys.map((key) => key.name);
    expect(names.sort()).toEqual(["first", "second"]);
  });

  it("breaks a lock file left by a crashed writer and waits for a live one", async () => {
    const dataDir = freshDirectory();
    mkdirSync(dataDir, { recursive: true });
    const lock = join(dataDir, "api-keys.json.lock");
    writeFileSync(lock, "12345 crashed\n");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const store = createApiKeyStore({ dataDir });
    await store.create({ tenant: "acme", role: "caller", name: "after crash" });
    expect(existsSync(lock)).toBe(false);
    writeFileSync(lock, "live writer\n");
    const waiting = store.create({ tenant: "acme", role: "caller", name: "waited" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await store.list({ tenant: "acme" })).keys).toHaveLength(1);
    const { unlinkSync } = await import("node:fs");
    unlinkSync(lock);
    await waiting;
    expect((await store.list({ tenant: "acme" })).keys).toHaveLength(2);
  });

  it("refuses to run on a damaged file instead of replacing it with an empty one", async () => {
    const dataDir = freshDirectory();
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, "api-keys.json");
    writeFileSync(file, '{"version":1,"keys":[', { mode: 0o600 });
    const store = createApiKeyStore({ dataDir });
    for (const operation of [() => store.create({ tenant: "acme", role: "caller", name: "k" }), () => store.list()]) {
      const error = await operation().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(KeelError.isInstance(error) && [error.code, error.details.reason]).toEqual([
        "INTERNAL",
        "key-file-damaged",
      ]);
    }
    expect(readFileSync(file, "utf8")).toBe('{"version":1,"keys":[');
  });
});
