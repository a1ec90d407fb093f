import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../config/load-config.ts";
import { clusterUrl, parseRedisUrl, redisUrlForDisplay } from "./redis-target.ts";

describe("parseRedisUrl", () => {
  it("reads one server and a cluster's seed nodes, credentials and TLS", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6379/2")).toEqual({ kind: "single", url: "redis://127.0.0.1:6379/2" });
    expect(parseRedisUrl("rediss+cluster://keel:p%40ss@10.0.0.1:7000,[::1]:7001/")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "::1", port: 7001 },
      ],
      username: "keel",
      password: "p@ss",
      tls: true,
    });
  });

  it("says what is wrong with a URL it cannot use", () => {
    expect(parseRedisUrl("localhost:6379")).toMatchObject({ problem: expect.stringMatching(/expected redis:\/\//) });
    expect(parseRedisUrl("redis+cluster://a:1,b")).toEqual({
      problem: '"b" is not host:port (a cluster URL lists seed nodes)',
    });
    expect(parseRedisUrl("redis+cluster://a:70000")).toMatchObject({ problem: expect.stringContaining("a:70000") });
  });

  it("round-trips a cluster section through its URL and hides the password in messages", () => {
    const url = clusterUrl({ nodes: ["a:1", "b:2"], password: "s3cret", tls: false });
    expect(url).toBe("redis+cluster://:s3cret@a:1,b:2");
    expect(parseRedisUrl(url)).toEqual({
      kind: "cluster",
      nodes: [
        { host: "a", port: 1 },
        { host: "b", port: 2 },
      ],
      password: "s3cret",
      tls: false,
    });
    expect(redisUrlForDisplay(url)).toBe("redis+cluster://:***@a:1,b:2");
  });
});

describe("the redis config section", () => {
  it("accepts a cluster URL or a cluster section, and leaves one form: url", () => {
    expect(parseConfig({ redis: { url: "redis+cluster://127.0.0.1:7000,127.0.0.1:7001" } }).redis?.url).toBe(
      "redis+cluster://127.0.0.1:7000,127.0.0.1:7001",
    );
    const config = parseConfig({ redis: { cluster: { nodes: ["127.0.0.1:7000"] }, keyPrefix: "k:" } });
    expect(config.redis).toEqual({
      url: "redis+cluster://127.0.0.1:7000",
      keyPrefix: "k:",
      commandTimeoutMs: 250,
      required: true,
    });
  });

  it("refuses both forms at once, neither, and a seed without a port", () => {
    expect(() => parseConfig({ redis: { url: "redis://a:1", cluster: { nodes: ["a:1"] } } })).toThrow(
      /redis\.cluster: give either url or cluster, not both/,
    );
    expect(() => parseConfig({ redis: {} })).toThrow(/redis\.url: required/);
    expect(() => parseConfig({ redis: { cluster: { nodes: ["a"] } } })).toThrow(/expected "host:port"/);
  });

  it("lets REDIS_URL replace a file's cluster section", () => {
    const file = join(mkdtempSync(join(tmpdir(), "keel-redis-")), "keel.yaml");
    writeFileSync(file, "redis:\n  cluster:\n    nodes: ['10.0.0.1:7000']\n  keyPrefix: 'k:'\n");
    expect(loadConfig({ KEEL_CONFIG: file }).redis?.url).toBe("redis+cluster://10.0.0.1:7000");
    const config = loadConfig({ KEEL_CONFIG: file, REDIS_URL: "redis+cluster://127.0.0.1:7100" });
    expect(config.redis).toMatchObject({ url: "redis+cluster://127.0.0.1:7100", keyPrefix: "k:" });
  });
});
