import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startGoverned, upstreamCalls } from "./test-support/governed-stack.ts";
import { SERVICE_KINDS, serviceClient, type ServiceClient } from "./test-support/service-client.ts";

/** The 515 strings of the Big List of Naughty Strings (MIT), as the governance package's tests use them. */
const NAUGHTY: string[] = JSON.parse(
  readFileSync(new URL("../../../packages/governance/src/test-data/blns.json", import.meta.url), "utf8"),
) as string[];

/** What an HTTP client can put in a header at all: no control characters, nothing beyond Latin-1. */
const headerSafe = (text: string) => /^[\x20-\x7e\x80-\xff]*$/.test(text);

const INVALID = { code: "UNAUTHENTICATED", message: "invalid or missing API key", retryable: false, details: {} };

async function allKeys(admin: ServiceClient, tenant: string) {
  const keys: Array<Record<string, unknown>> = [];
  let cursor: string | undefined;
  do {
    const page = await admin.listKeys({ tenant, limit: 500, ...(cursor ? { cursor } : {}) });
    if (!page.ok) throw new Error(page.error.message);
    keys.push(...page.value.keys);
    cursor = page.value.nextCursor ?? undefined;
  } while (cursor);
  return keys;
}

// 515 strings over three transports: 31 s alone, past the 60 s test timeout on the busy shared machine.
describe.each(SERVICE_KINDS)("the naughty strings through %s", { timeout: 180_000 }, (kind) => {
  it("as API keys: refused with the one UNAUTHENTICATED, in the header, the connection params and connection_init, never a 500", async () => {
    const stack = await startGoverned(kind);
    const calls = upstreamCalls();
    const input = { model: "chat", messages: [{ role: "user", content: "hi" }] };
    for (const naughty of NAUGHTY.filter(headerSafe)) {
      const outcome = await serviceClient(kind, stack.host.url, naughty).usage();
      expect(outcome.ok || { ...outcome.error, status: outcome.status }).toEqual({ ...INVALID, status: 401 });
    }
    // On a connection the key is JSON, so every string can be sent.
    for (const naughty of NAUGHTY) {
      const streamed = await serviceClient(kind, stack.host.url, naughty).stream(input);
      expect(streamed.events).toEqual([]);
      if (kind === "trpc") expect(streamed.rejected).toEqual(INVALID);
      else expect(streamed.closed).toEqual({ code: 4401, reason: "UNAUTHENTICATED: invalid or missing API key" });
    }
    expect(upstreamCalls()).toBe(calls);
  });

  it("as key names: stored and listed exactly", async () => {
    const stack = await startGoverned(kind);
    const admin = stack.client(stack.adminKey);
    const names = new Map<string, string>();
    for (const name of NAUGHTY) {
      const created = await admin.createKey({ tenant: "naughty", role: "caller", name });
      if (!created.ok) throw new Error(`${JSON.stringify(name)}: ${created.error.message}`);
      expect(created.value.record.name).toBe(name);
      names.set(created.value.id, name);
    }
    const listed = await allKeys(admin, "naughty");
    expect(listed).toHaveLength(NAUGHTY.length);
    for (const key of listed) expect(key.name).toBe(names.get(key.id as string));
  });
});
