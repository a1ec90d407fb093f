import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createWebhookPolicy } from "./webhook-policy.ts";

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (KeelError.isInstance(error) && error.code === "BAD_REQUEST") return String(error.details.reason);
    throw error;
  }
  return undefined;
}

async function asyncRefusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (KeelError.isInstance(error) && error.code === "BAD_REQUEST") return String(error.details.reason);
    throw error;
  }
  return undefined;
}

describe("webhook allow-list", () => {
  const policy = createWebhookPolicy({
    allow: ["https://hooks.example.com", "https://partner.example.org/keel/callbacks"],
    resolveHost: async () => ["93.184.216.34"],
  });

  it("admits any path on an allowed origin", () => {
    expect(policy.match("https://hooks.example.com/any/path?x=1").url.pathname).toBe("/any/path");
    expect(policy.match("https://HOOKS.example.com:443/").url.host).toBe("hooks.example.com");
  });

  it("admits a prefix entry's path and below it, never a look-alike path", () => {
    expect(refusal(() => policy.match("https://partner.example.org/keel/callbacks"))).toBeUndefined();
    expect(refusal(() => policy.match("https://partner.example.org/keel/callbacks/job-1"))).toBeUndefined();
    expect(refusal(() => policy.match("https://partner.example.org/keel/callbacks-evil"))).toBe("not-allowed");
    expect(refusal(() => policy.match("https://partner.example.org/keel/"))).toBe("not-allowed");
  });

  it.each([
    ["http://hooks.example.com/", "not-allowed"],
    ["https://hooks.example.com:8443/", "not-allowed"],
    ["https://hooks.example.com.evil.test/", "not-allowed"],
    ["https://evil.test/?https://hooks.example.com/", "not-allowed"],
    ["https://user:pass@hooks.example.com/", "invalid-url"],
    ["ftp://hooks.example.com/", "invalid-url"],
    ["not a url", "invalid-url"],
  ])("refuses %s (%s)", (url, reason) => {
    expect(refusal(() => policy.match(url))).toBe(reason);
  });

  it("refuses an allow-list entry that is not an http(s) origin or prefix", () => {
    expect(() => createWebhookPolicy({ allow: ["hooks.example.com"] })).toThrow(/allow-list entry/);
    expect(() => createWebhookPolicy({ allow: ["https://hooks.example.com/?a=1"] })).toThrow(/allow-list entry/);
  });
});

describe("webhook address checks", () => {
  it("refuses a host that resolves to a private or loopback address, any of its addresses", async () => {
    const answers: Record<string, string[]> = {
      "private.partner.test": ["10.0.0.7"],
      "mixed.partner.test": ["93.184.216.34", "127.0.0.1"],
      "metadata.partner.test": ["169.254.169.254"],
      "mapped.partner.test": ["::ffff:192.168.0.1"],
      "public.partner.test": ["93.184.216.34"],
    };
    const policy = createWebhookPolicy({
      allow: Object.keys(answers).map((host) => `https://${host}`),
      resolveHost: async (host) => answers[host] ?? [],
    });
    for (const host of ["private", "mixed", "metadata", "mapped"]) {
      expect(await asyncRefusal(policy.resolve(`https://${host}.partner.test/hook`))).toBe("private-address");
    }
    expect(await policy.resolve("https://public.partner.test/hook")).toMatchObject({
      address: "93.184.216.34",
      family: 4,
    });
  });

  it("refuses private IP literals unless the allow-list names them", async () => {
    const policy = createWebhookPolicy({ allow: ["http://10.1.2.3:8080/", "https://hooks.example.com"] });
    expect(await policy.resolve("http://10.1.2.3:8080/hook")).toMatchObject({ address: "10.1.2.3" });
    expect(await asyncRefusal(policy.resolve("http://10.1.2.4:8080/hook"))).toBe("not-allowed");
  });

  it("allows private addresses for an entry that sets allowPrivateNetwork, and for localhost by name", async () => {
    const policy = createWebhookPolicy({
      allow: [{ url: "http://receiver.internal.test", allowPrivateNetwork: true }, "http://localhost:4555"],
      resolveHost: async (host) => (host === "receiver.internal.test" ? ["10.9.8.7"] : ["127.0.0.1"]),
    });
    expect(await policy.resolve("http://receiver.internal.test/hook")).toMatchObject({ address: "10.9.8.7" });
    expect(await policy.resolve("http://localhost:4555/hook")).toMatchObject({ address: "127.0.0.1" });
  });

  it("resolves through the system resolver by default", async () => {
    const policy = createWebhookPolicy({ allow: ["http://localhost:4555"] });
    const target = await policy.resolve("http://localhost:4555/hook");
    expect(["127.0.0.1", "::1"]).toContain(target.address);
  });

  it("refuses a host that does not resolve", async () => {
    const policy = createWebhookPolicy({
      allow: ["https://gone.partner.test"],
      resolveHost: async () => {
        throw new Error("ENOTFOUND");
      },
    });
    expect(await asyncRefusal(policy.resolve("https://gone.partner.test/"))).toBe("unresolvable");
  });
});
