import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { PLACEHOLDER_API_KEY, loadConfig, parseConfig, usesEmbeddedSimulator } from "./load-config.ts";

function writeTemp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "keel-config-")), name);
  writeFileSync(file, text);
  return file;
}

describe("loadConfig", () => {
  it("with no settings runs the embedded default: the simulator on localhost", () => {
    const config = loadConfig({});
    expect(usesEmbeddedSimulator(config)).toBe(true);
    expect(config.providers.simulator?.baseURL).toBe("http://127.0.0.1:4100/v1");
    expect(config.models["gpt-4o-mini"]?.targets).toEqual(["simulator/gpt-4o-mini", "simulator/gpt-4.1-mini"]);
    expect(config.services).toMatchObject({ host: "127.0.0.1", trpcPort: 3000, graphqlPort: 4000, openaiPort: 8080 });
  });

  it("switches to OpenAI when OPENAI_API_KEY is set", () => {
    const config = loadConfig({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: "https://example.test/v1" });
    expect(usesEmbeddedSimulator(config)).toBe(false);
    expect(config.providers.openai).toMatchObject({ apiKey: "sk-test", baseURL: "https://example.test/v1" });
    expect(config.models["gpt-4o"]?.targets[0]).toBe("openai/gpt-4o");
  });

  it("honours OPENAI_BASE_URL without OPENAI_API_KEY, with a placeholder key (local servers need none)", () => {
    const config = loadConfig({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" });
    expect(usesEmbeddedSimulator(config)).toBe(false);
    expect(config.providers).toEqual({
      openai: { type: "openai", apiKey: PLACEHOLDER_API_KEY, baseURL: "http://127.0.0.1:11434/v1" },
    });
    expect(config.models["gpt-4o-mini"]?.targets[0]).toBe("openai/gpt-4o-mini");
    expect(() => loadConfig({ OPENAI_BASE_URL: "localhost:11434" })).toThrow(
      /OPENAI_BASE_URL: expected a URL .*received "localhost:11434"/,
    );
  });

  it("brackets an IPv6 KEEL_HOST in the simulator's URL (KEEL_HOST=::1 built an invalid URL)", () => {
    const config = loadConfig({ KEEL_HOST: "::1", KEEL_SIMULATOR_PORT: "4300" });
    expect(config.providers.simulator?.baseURL).toBe("http://[::1]:4300/v1");
    expect(new URL(config.providers.simulator?.baseURL ?? "").hostname).toBe("[::1]");
  });

  it("reads ports and host from the environment", () => {
    const config = loadConfig({
      KEEL_TRPC_PORT: "3100",
      KEEL_GRAPHQL_PORT: "4200",
      KEEL_SIMULATOR_PORT: "4300",
      KEEL_OPENAI_PORT: "8180",
      KEEL_HOST: "0.0.0.0",
    });
    expect(config.services).toMatchObject({
      host: "0.0.0.0",
      trpcPort: 3100,
      graphqlPort: 4200,
      simulatorPort: 4300,
      openaiPort: 8180,
    });
    expect(config.providers.simulator?.baseURL).toBe("http://0.0.0.0:4300/v1");
  });

  it("names the environment variable when a port is not a number", () => {
    expect(() => loadConfig({ KEEL_TRPC_PORT: "three" })).toThrow(
      /KEEL_TRPC_PORT: expected an integer port, received "three"/,
    );
  });

  it("reads KEEL_WORKERS (default 1) and names it when it is not a whole number of processes", () => {
    expect(loadConfig({}).services.workers).toBe(1);
    expect(loadConfig({ KEEL_WORKERS: "3" }).services.workers).toBe(3);
    for (const value of ["two", "0", "1.5"])
      expect(() => loadConfig({ KEEL_WORKERS: value })).toThrow(
        `KEEL_WORKERS: expected a whole number of processes, 1 or more, received "${value}"`,
      );
  });

  it("loads YAML and JSON files named by KEEL_CONFIG", () => {
    const yaml = writeTemp(
      "keel.yaml",
      "providers:\n  local:\n    baseURL: http://127.0.0.1:9/v1\n    apiKey: k\nmodels:\n  small:\n    targets: [local/tiny]\n",
    );
    expect(loadConfig({ KEEL_CONFIG: yaml }).models.small?.targets).toEqual(["local/tiny"]);
    const json = writeTemp(
      "keel.json",
      JSON.stringify({ providers: { p: { apiKey: "k" } }, models: { m: { targets: ["p/m"] } } }),
    );
    expect(Object.keys(loadConfig({ KEEL_CONFIG: json }).providers)).toEqual(["p"]);
  });

  it("stops with a message that names the field and what was expected", () => {
    const file = writeTemp("bad.yaml", "services:\n  trpcPort: high\nmodels:\n  small:\n    targets: [no-slash]\n");
    let caught: unknown;
    try {
      loadConfig({ KEEL_CONFIG: file });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('services.trpcPort: expected a number, received "high"');
    expect(message).toContain('models.small.targets.0: expected "provider/model", received "no-slash"');
  });

  it("reports unreadable and unparsable files as config errors", () => {
    expect(() => loadConfig({ KEEL_CONFIG: "/nonexistent/keel.yaml" })).toThrow(/cannot read the file/);
    expect(() => loadConfig({ KEEL_CONFIG: writeTemp("broken.json", "{ nope") })).toThrow(/cannot parse/);
    expect(() => loadConfig({ KEEL_CONFIG: writeTemp("list.yaml", "- a\n- b\n") })).toThrow(/expected a mapping/);
  });

  it("parseConfig fills every section's defaults from an empty object", () => {
    const config = parseConfig({});
    expect(config.defaults.timeoutMs).toBe(30_000);
    expect(config.limits.maxPromptChars).toBeGreaterThan(0);
    expect(config.providers).toEqual({});
  });

  it("gathers stdout log lines for at most 100 ms by default; 0 writes each at once; past 10 s is refused", () => {
    expect(parseConfig({}).telemetry.log.flushIntervalMs).toBe(100);
    expect(parseConfig({ telemetry: { log: { flushIntervalMs: 0 } } }).telemetry.log.flushIntervalMs).toBe(0);
    expect(() => parseConfig({ telemetry: { log: { flushIntervalMs: 60_000 } } })).toThrow(/flushIntervalMs/);
  });
});
