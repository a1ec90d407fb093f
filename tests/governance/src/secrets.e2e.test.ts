import { describe, expect, it } from "vitest";
import { chat, startGoverned } from "./test-support/governed-stack.ts";
import { SERVICE_KINDS } from "./test-support/service-client.ts";

describe.each(SERVICE_KINDS)("keys never in logs or errors, through %s", (kind) => {
  it("logs refusals by reason and key id, and no key, secret or bearer value anywhere", async () => {
    const stack = await startGoverned(kind);
    const admin = stack.client(stack.adminKey);
    const live = await stack.issue({ tenant: "acme", role: "caller", name: "live", limits: { requestsPerMinute: 1 } });
    const revoked = await stack.issue({ tenant: "acme", role: "caller", name: "revoked" });
    await admin.revokeKey(revoked.id);
    const wrong = `keel_${live.id}_${"W".repeat(43)}`;
    const errors: unknown[] = [];
    for (const key of [live.key, live.key, wrong, revoked.key, "keel_garbage", undefined]) {
      const outcome = await stack.client(key).generate(chat("hello"));
      if (!outcome.ok) errors.push(outcome.error, outcome.headers);
    }
    const rotated = await admin.rotateKey(live.id);
    if (!rotated.ok) throw new Error(rotated.error.message);

    const secrets = [stack.adminKey, live.key, revoked.key, wrong, rotated.value.key].flatMap((key) => [
      key,
      key.slice(18),
    ]);
    const everything = `${stack.logText()}\n${JSON.stringify(errors)}`;
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toContain("keel_garbage");
    expect(everything).not.toMatch(/bearer\s+keel_/i);
    const refusals = stack.logs().filter((line) => line.msg === "API key refused");
    expect(refusals.map((line) => [line.reason, line.keyId])).toEqual([
      ["wrong-secret", live.id],
      ["revoked", revoked.id],
      ["malformed", undefined],
      ["missing", undefined],
    ]);
    // The request lines name the key by id only.
    expect(stack.logs().filter((line) => line.keyId === live.id && line.operation === "generate")).toHaveLength(2);
  });
});
