import { generateApiKey } from "@keel/governance";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { loadConfig, parseConfig } from "./load-config.ts";

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const providers = { openai: { apiKey: "sk-test" } };

describe("the governance sections of the config", () => {
  it("has working defaults: auth auto, keys under .keel, fail open, alerts at 80 and 100 %", () => {
    const config = parseConfig({});
    expect(config.auth).toEqual({ mode: "auto", bootstrapTenant: "default", verifyCacheMs: 2_000 });
    expect(config.dataDir).toBe(".keel");
    expect(config.governance).toEqual({
      failMode: "open",
      budgetAlertsPercent: [80, 100],
      defaultCompletionTokens: 1_024,
    });
    expect(config.tenants).toEqual({});
  });

  it("takes tenants, route selection and optimisation, and names a misspelt field", () => {
    const config = parseConfig({
      providers,
      models: {
        support: {
          targets: ["openai/gpt-4o-mini"],
          selection: { rules: [{ name: "long", when: { minPromptTokens: 4_000 }, targets: ["openai/gpt-4.1"] }] },
          optimisation: { compactWhitespace: true, maxPromptTokens: 8_000 },
        },
      },
      tenants: { acme: { limits: { requestsPerMinute: 60 }, budget: { dailyUsd: 5 }, allowedModels: ["support"] } },
    });
    expect(config.tenants.acme?.budget).toEqual({ dailyUsd: 5 });
    expect(
      issuesOf(() => parseConfig({ tenants: { acme: { limits: { requestsPerMinit: 60 } } }, auth: { mode: "on" } })),
    ).toEqual([
      'auth.mode: expected one of "auto", "keys", "none", received "on"',
      'tenants.acme.limits.requestsPerMinit: unknown field; did you mean "requestsPerMinute"?',
    ]);
  });

  it("checks what the sections say about the rest: providers, known context windows, rule names, allowed models, label sets", () => {
    const issues = issuesOf(() =>
      parseConfig({
        providers,
        models: {
          support: {
            targets: ["openai/gpt-4o-mini"],
            selection: {
              rules: [
                { name: "default", targets: ["openai/llama-local"] },
                { name: "tools", when: { hasTools: true }, targets: ["azure/gpt-4o"] },
              ],
            },
          },
        },
        tenants: { acme: { allowedModels: ["suport"] } },
        labelSets: { intents: { model: "text-embeding-3-small", labels: { a: ["x"] } } },
        embeddingModels: { "text-embedding-3-small": "openai/text-embedding-3-small" },
      }),
    );
    expect(issues).toEqual([
      'models.support.selection.rules.0.name: "default" is reserved (the rule used when none applies is "default"); give each rule a name of its own',
      'models.support.selection: the context window of "llama-local" is not known; add contextWindows: { "llama-local": <tokens> }',
      'models.support.selection: unknown provider "azure" in "azure/gpt-4o"; configured providers: openai',
      'tenants.acme.allowedModels.0: "suport" is not a model this deployment serves (support, text-embedding-3-small); did you mean "support"?',
      'labelSets.intents.model: expected one of embeddingModels (text-embedding-3-small), received "text-embeding-3-small"; did you mean "text-embedding-3-small"?',
    ]);
    expect(() =>
      parseConfig({
        providers,
        models: {
          support: {
            targets: ["openai/gpt-4o-mini"],
            selection: { rules: [{ name: "x", targets: ["openai/llama-local"] }] },
          },
        },
        contextWindows: { "llama-local": 8_192 },
      }),
    ).not.toThrow();
  });

  it("reads KEEL_BOOTSTRAP_ADMIN_KEY and KEEL_DATA_DIR from the environment, and never repeats a malformed key", () => {
    const key = generateApiKey();
    const config = loadConfig({ KEEL_BOOTSTRAP_ADMIN_KEY: key, KEEL_DATA_DIR: "/var/lib/keel" });
    expect(config.auth.bootstrapAdminKey).toBe(key);
    expect(config.dataDir).toBe("/var/lib/keel");
    const secret = "keel_short_s3cretvalue";
    const issues = issuesOf(() => loadConfig({ KEEL_BOOTSTRAP_ADMIN_KEY: secret }));
    expect(issues).toEqual([
      "KEEL_BOOTSTRAP_ADMIN_KEY: expected a key such as keel_<12 lowercase letters or digits>_<43 or more base64url characters>; `pnpm keel keys generate` prints one",
    ]);
    expect(issues.join()).not.toContain("s3cret");
  });
});
