import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKeyAdmin } from "@keel/core";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { apiError, startStack, type Stack } from "./test-support/stack.ts";

/**
 * The SDK's apiKey is the caller's Keel key (`Authorization: Bearer keel_...`): with a key
 * configured a missing or bad one is 401 before any upstream call, and a good one runs as
 * its tenant with OpenAI's rate-limit headers. Keys live in the data directory here.
 */
const stacks: Stack[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const ask = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Hi" }] };

describe("API keys through the OpenAI-compatible service", () => {
  it("refuses a bad key with 401 authentication_error, and runs a good one as its tenant with x-ratelimit-* headers", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "keel-openai-keys-"));
    folders.push(dataDir);
    const stack = await startStack({ config: { dataDir, auth: { mode: "keys", verifyCacheMs: 100 } } });
    stacks.push(stack);
    const issued = await createKeyAdmin(stack.pipeline.governance.keys).create({
      tenant: "acme",
      role: "caller",
      name: "sdk",
      limits: { requestsPerMinute: 5 },
    });

    const calls = stack.simulator.stats().totalCalls;
    for (const apiKey of ["keel-test", `keel_${issued.id}_${"W".repeat(43)}`]) {
      const client = new OpenAI({ baseURL: stack.baseURL, apiKey, maxRetries: 0 });
      const refused = await apiError(client.chat.completions.create(ask));
      expect(refused.status).toBe(401);
      expect(refused.error).toMatchObject({
        message: "invalid or missing API key",
        type: "authentication_error",
        code: "UNAUTHENTICATED",
      });
    }
    expect(stack.simulator.stats().totalCalls).toBe(calls);

    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: issued.key, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create(ask).withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get("x-ratelimit-limit-requests")).toBe("5");
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("4");
    const usage = await stack.pipeline.usage({}, { tenant: "acme" });
    expect(usage.totals.requests).toBe(1);
  });
});
