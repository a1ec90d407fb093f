import { describe, expect, it } from "vitest";
import { chat, startGoverned } from "./test-support/governed-stack.ts";
import { SERVICE_KINDS } from "./test-support/service-client.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(SERVICE_KINDS)("key administration through %s", (kind) => {
  it("creates a key (the secret once), lists, changes its limits, budget and models, rotates and revokes it", async () => {
    const stack = await startGoverned(kind);
    const admin = stack.client(stack.adminKey);
    const created = await admin.createKey({ tenant: "acme", role: "caller", name: "support bot" });
    if (!created.ok) throw new Error(created.error.message);
    const { id, key, record } = created.value;
    expect(key).toMatch(new RegExp(`^keel_${id}_[A-Za-z0-9_-]{43}$`));
    expect(record).toMatchObject({ id, tenant: "acme", role: "caller", name: "support bot", revokedAt: null });
    const listed = await admin.listKeys({ tenant: "acme" });
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value.keys.map((entry) => entry.id)).toEqual([id]);
    // The secret is shown once: no listing, record or later answer holds it.
    expect(JSON.stringify(listed.value)).not.toContain(key.slice(18));

    const changed = await admin.updateKey({
      id,
      limits: { requestsPerMinute: 1 },
      budget: { dailyUsd: 3 },
      allowedModels: ["chat"],
    });
    expect(changed.ok && changed.value).toMatchObject({
      limits: { requestsPerMinute: 1 },
      budget: { dailyUsd: 3 },
      allowedModels: ["chat"],
    });
    await sleep(600); // the verify cache (auth.verifyCacheMs 500) picks the new limits up
    const caller = stack.client(key);
    expect((await caller.generate(chat("one"))).ok).toBe(true);
    const limited = await caller.generate(chat("two"));
    expect(limited.ok || limited.error.code).toBe("RATE_LIMITED");

    const rotated = await admin.rotateKey(id);
    if (!rotated.ok) throw new Error(rotated.error.message);
    expect(rotated.value.id).toBe(id);
    await sleep(600);
    const old = await caller.usage();
    expect(old.ok || old.error.code).toBe("UNAUTHENTICATED");
    expect((await stack.client(rotated.value.key).usage()).ok).toBe(true);

    const revoked = await admin.revokeKey(id);
    expect(revoked.ok && typeof revoked.value.revokedAt).toBe("string");
    await sleep(600);
    const after = await stack.client(rotated.value.key).usage();
    expect(after.ok || after.error.code).toBe("UNAUTHENTICATED");
  });

  it("names a bad field of an admin input with BAD_REQUEST, the same way in both services", async () => {
    const stack = await startGoverned(kind);
    const admin = stack.client(stack.adminKey);
    const role = await admin.createKey({
      tenant: "acme",
      role: "caller",
      name: "x",
      limits: { requestsPerMinute: -1 },
    });
    expect(role.ok || role.error).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "limits.requestsPerMinute" },
    });
    const unknown = await admin.revokeKey("nosuchkey000");
    expect(unknown.ok || unknown.error).toMatchObject({ code: "BAD_REQUEST", details: { reason: "unknown-key" } });
    const tenant = await admin.createKey({ tenant: "", role: "caller", name: "x" });
    expect(tenant.ok || tenant.error).toMatchObject({ code: "BAD_REQUEST", details: { field: "tenant" } });
  });

  it("shows a tenant its usage with its budget, and any tenant's to an admin", async () => {
    const stack = await startGoverned(kind, {
      config: { tenants: { acme: { budget: { dailyUsd: 2, monthlyUsd: 20 } } } },
    });
    const { key } = await stack.issue({ tenant: "acme", role: "caller", name: "bot", budget: { dailyUsd: 1 } });
    const answer = await stack.client(key).generate(chat("spend a little"));
    if (!answer.ok) throw new Error(answer.error.message);
    const usage = await stack.client(key).usage();
    if (!usage.ok) throw new Error(usage.error.message);
    expect(usage.value).toMatchObject({ tenant: "acme", totals: { requests: 1 } });
    const budget = usage.value.budget as Record<string, Record<string, Record<string, unknown>>>;
    expect(budget.tenant?.day).toMatchObject({ limitUsd: 2, reservedUsd: 0 });
    expect(budget.tenant?.month).toMatchObject({ limitUsd: 20 });
    expect(budget.key?.day).toMatchObject({ limitUsd: 1 });
    expect(budget.key?.day?.spentUsd).toBeCloseTo(answer.value.costUsd as number, 6);
    expect(budget.tenant?.day?.resetsAt).toMatch(/^\d{4}-\d\d-\d\dT00:00:00/);

    const byAdmin = await stack.client(stack.adminKey).tenantUsage({ tenant: "acme" });
    expect(byAdmin.ok && byAdmin.value).toMatchObject({
      tenant: "acme",
      totals: { requests: 1 },
      budget: { key: null },
    });
    const byCaller = await stack.client(key).tenantUsage({ tenant: "acme" });
    expect(byCaller.ok || byCaller.error.code).toBe("FORBIDDEN");
  });
});
