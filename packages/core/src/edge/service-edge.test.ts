import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { generateApiKey } from "@keel/governance";
import { KeelError } from "@keel/spec";
import { createLogger } from "@keel/telemetry";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline } from "../pipeline/create-pipeline.ts";
import { StartupError } from "../service/startup-error.ts";
import { checkExposure, isLoopback } from "./exposure-check.ts";
import { createKeyAdmin } from "./key-admin.ts";
import { requireRole, reviewTenantOf } from "./roles.ts";
import { createServiceEdge, OPEN_PRINCIPAL } from "./service-edge.ts";
import { tenantUsageOf, usageOf } from "./usage-report.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A pipeline whose keys live in a fresh data directory; its log lines are captured. */
function setUp(auth: KeelConfigInput["auth"] = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "keel-edge-"));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: "http://127.0.0.1:9/v1", apiKey: "test" } },
      models: { small: { targets: ["sim/gpt-4o-mini"] } },
      dataDir,
      auth: { verifyCacheMs: 50, ...auth },
    }),
    { logger: createLogger({ level: "info", destination }) },
  );
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => pipeline.close());
  return {
    pipeline,
    lines,
    edge: createServiceEdge(pipeline, { service: "trpc" }),
    admin: createKeyAdmin(pipeline.governance.keys),
  };
}

async function failure(promise: Promise<unknown>): Promise<KeelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!KeelError.isInstance(error)) throw new Error(`expected a KeelError, got ${String(error)}`);
  return error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("authentication at the edge", () => {
  it("runs open as tenant default while no key exists (auto), and turns on within the recheck once one is created", async () => {
    const { edge, admin, pipeline } = setUp();
    expect(await edge.authenticate(undefined)).toEqual(OPEN_PRINCIPAL);
    expect(await pipeline.governance.auth.describe()).toMatch(/^Authentication is off: no API key exists yet/);
    const issued = await admin.create({ tenant: "acme", role: "caller", name: "bot" });
    await sleep(80);
    expect((await failure(edge.authenticate(undefined))).code).toBe("UNAUTHENTICATED");
    expect(await edge.authenticate(`Bearer ${issued.key}`)).toEqual({
      keyId: issued.id,
      tenant: "acme",
      role: "caller",
    });
    expect(await pipeline.governance.auth.describe()).toMatch(/^Authentication is on/);
  });

  it("refuses every bad key with one message and no details, and logs only the reason and key id", async () => {
    const { edge, admin, lines } = setUp({ mode: "keys" });
    const issued = await admin.create({ tenant: "acme", role: "caller", name: "bot" });
    const revoked = await admin.create({ tenant: "acme", role: "caller", name: "old" });
    await admin.revoke({ id: revoked.id });
    const wrongSecret = `keel_${issued.id}_${"x".repeat(43)}`;
    const unknown = generateApiKey();
    const presented = [
      undefined,
      "Basic dXNlcjpwYXNz",
      "Bearer not-a-keel-key",
      `Bearer ${unknown}`,
      `Bearer ${wrongSecret}`,
      `Bearer ${revoked.key}`,
      { authorization: `Bearer ${wrongSecret}` },
    ];
    for (const credential of presented) {
      const error = await failure(edge.authenticate(credential));
      expect(error.toJSON()).toEqual({
        code: "UNAUTHENTICATED",
        message: "invalid or missing API key",
        retryable: false,
        details: {},
      });
    }
    const refusals = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === "API key refused");
    expect(refusals.map((line) => line.reason)).toEqual([
      "missing",
      "missing",
      "malformed",
      "unknown",
      "wrong-secret",
      "revoked",
      "wrong-secret",
    ]);
    expect(refusals[4]).toMatchObject({ keyId: issued.id, service: "trpc", component: "auth" });
    const logged = lines.join("\n");
    for (const secret of [issued.key, revoked.key, wrongSecret, unknown, "not-a-keel-key"])
      expect(logged).not.toContain(secret);
  });

  it("reads the key from a connection's params or init payload as well as from the header", async () => {
    const { edge, admin } = setUp({ mode: "keys" });
    const issued = await admin.create({ tenant: "acme", role: "reviewer", name: "reviewer" });
    for (const credential of [
      `Bearer ${issued.key}`,
      [`Bearer ${issued.key}`],
      { authorization: `Bearer ${issued.key}` },
      { Authorization: `bearer ${issued.key}` },
    ]) {
      expect((await edge.authenticate(credential)).tenant).toBe("acme");
    }
  });

  it("installs KEEL_BOOTSTRAP_ADMIN_KEY at start, as an admin of its tenant, and refreshes it at every start", async () => {
    const key = generateApiKey();
    const { edge, pipeline } = setUp({ bootstrapAdminKey: key, bootstrapTenant: "ops" });
    await pipeline.governance.auth.prepare();
    const principal = await edge.authenticate(`Bearer ${key}`);
    expect(principal).toMatchObject({ tenant: "ops", role: "admin" });
    expect((await failure(edge.authenticate(undefined))).code).toBe("UNAUTHENTICATED");
  });

  it("needs no key with auth.mode none, whatever keys exist", async () => {
    const { edge, admin } = setUp({ mode: "none" });
    await admin.create({ tenant: "acme", role: "caller", name: "bot" });
    expect(await edge.authenticate(undefined)).toEqual(OPEN_PRINCIPAL);
  });
});

describe("a public address with authentication off", () => {
  it("refuses to start on a non-loopback address unless auth is on or mode none says so", async () => {
    const open = setUp();
    const refused = await checkExposure({ pipeline: open.pipeline, host: "0.0.0.0", service: "graphql" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as Error).message).toMatch(
      /^the graphql service would listen on 0\.0\.0\.0, reachable from other machines, with authentication off/,
    );
    expect((refused as Error).message).toMatch(/auth\.mode: none/);
    await checkExposure({ pipeline: open.pipeline, host: "127.0.0.1", service: "graphql" });
    await checkExposure({ pipeline: setUp({ mode: "none" }).pipeline, host: "0.0.0.0", service: "graphql" });
    await checkExposure({
      pipeline: setUp({ bootstrapAdminKey: generateApiKey() }).pipeline,
      host: "0.0.0.0",
      service: "graphql",
    });
  });

  it("counts only this machine's addresses as loopback", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(isLoopback(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "127.0.0.1.example.com"])
      expect(isLoopback(host)).toBe(false);
  });
});

describe("key administration", () => {
  it("creates, lists, updates, rotates and revokes keys, naming a bad field with BAD_REQUEST", async () => {
    const { admin, edge } = setUp({ mode: "keys" });
    const issued = await admin.create({
      tenant: "acme",
      role: "caller",
      name: "support bot",
      limits: { requestsPerMinute: 10 },
      budget: { dailyUsd: 2 },
    });
    expect(issued.key).toMatch(new RegExp(`^keel_${issued.id}_[A-Za-z0-9_-]{43}$`));
    expect(issued.record).toMatchObject({ tenant: "acme", role: "caller", limits: { requestsPerMinute: 10 } });
    // Every field present, null where unset: both services show the same record.
    expect(issued.record).toMatchObject({ allowedModels: null, lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(issued.record)).not.toContain(issued.key.split("_")[2]);
    expect((await admin.list({ tenant: "acme" })).keys.map((key) => key.id)).toEqual([issued.id]);

    const updated = await admin.update({ id: issued.id, allowedModels: ["small"], limits: null });
    expect(updated.allowedModels).toEqual(["small"]);
    expect(updated.limits).toBeNull();

    const rotated = await admin.rotate({ id: issued.id });
    expect(rotated.id).toBe(issued.id);
    await sleep(80);
    expect((await failure(edge.authenticate(`Bearer ${issued.key}`))).code).toBe("UNAUTHENTICATED");
    expect((await edge.authenticate(`Bearer ${rotated.key}`)).allowedModels).toEqual(["small"]);

    expect((await admin.revoke({ id: issued.id })).revokedAt).toMatch(/^\d{4}-/);
    const bad = await failure(admin.create({ tenant: "acme", role: "owner", name: "x" }));
    expect(bad).toMatchObject({ code: "BAD_REQUEST", details: { field: "role" } });
    const misspelt = await failure(admin.create({ tenant: "acme", role: "caller", name: "x", limts: {} }));
    expect(misspelt.details).toMatchObject({ field: "limts", hint: 'did you mean "limits"?' });
    expect((await failure(admin.revoke({ id: "nosuchkey000" }))).details.reason).toBe("unknown-key");
  });

  it("keeps admin operations and other tenants' usage for the admin role, and reviewer paths to their own tenant", async () => {
    const { pipeline } = setUp();
    const caller = { keyId: "abcdefghijk1", tenant: "acme", role: "caller" as const };
    expect(() => requireRole(caller, "admin")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
    expect(() => requireRole(caller, "reviewer")).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
    const reviewer = { ...caller, role: "reviewer" as const };
    requireRole(reviewer, "reviewer", { tenant: "acme" });
    expect(() => requireRole(reviewer, "reviewer", { tenant: "globex" })).toThrow(
      expect.objectContaining({ code: "FORBIDDEN", details: { reason: "tenant" } }),
    );
    requireRole({ ...caller, role: "admin" }, "reviewer", { tenant: "globex" });
    expect(reviewTenantOf(reviewer)).toBe("acme");
    expect(reviewTenantOf(reviewer, "acme")).toBe("acme");
    expect(() => reviewTenantOf(reviewer, "globex")).toThrow(
      expect.objectContaining({ code: "FORBIDDEN", details: { reason: "tenant" } }),
    );
    expect(() => reviewTenantOf(caller)).toThrow(
      expect.objectContaining({ code: "FORBIDDEN", details: { reason: "role", required: "reviewer" } }),
    );
    expect(reviewTenantOf({ ...caller, role: "admin" }, "globex")).toBe("globex");

    const own = await usageOf(pipeline, caller, {});
    expect(own.tenant).toBe("acme");
    expect(own.budget.tenant.day).toMatchObject({ spentUsd: 0, limitUsd: null, remainingUsd: null });
    expect((await failure(usageOf(pipeline, caller, { tenant: "globex" }))).details.field).toBe("tenant");
    expect((await failure(tenantUsageOf(pipeline, caller, { tenant: "globex" }))).code).toBe("FORBIDDEN");
    expect((await tenantUsageOf(pipeline, { ...caller, role: "admin" }, { tenant: "globex" })).tenant).toBe("globex");
  });
});
