import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const configDirectory = fileURLToPath(new URL(".", import.meta.url));

/**
 * In a fresh process (this one's module cache already holds what other tests loaded): loads the
 * embedded default, a JSON file, then a YAML file, and prints whether the YAML parser (CommonJS,
 * so in require.cache) was loaded after each.
 */
const script = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const yamlLoaded = () => Object.keys(require.cache).some((file) => file.includes("/node_modules/yaml/"));
const { loadConfig } = await import("./load-config.ts");
const steps = {};
steps.embeddedDefault = Object.keys(loadConfig({}).providers);
steps.afterDefault = yamlLoaded();
steps.jsonFile = Object.keys(loadConfig({ KEEL_CONFIG: process.argv[1] }).providers);
steps.afterJson = yamlLoaded();
steps.yamlFile = Object.keys(loadConfig({ KEEL_CONFIG: process.argv[2] }).providers);
steps.afterYaml = yamlLoaded();
console.log(JSON.stringify(steps));
`;

it("loads the YAML parser only for a YAML config file, not for the embedded default or a JSON file", () => {
  const directory = mkdtempSync(join(tmpdir(), "keel-yaml-loading-"));
  const json = join(directory, "keel.json");
  writeFileSync(
    json,
    JSON.stringify({ providers: { fromJson: { apiKey: "k" } }, models: { m: { targets: ["fromJson/m"] } } }),
  );
  const yaml = join(directory, "keel.yaml");
  writeFileSync(yaml, "providers:\n  fromYaml:\n    apiKey: k\nmodels:\n  m:\n    targets: [fromYaml/m]\n");
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, json, yaml], {
    cwd: configDirectory,
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(child.stderr).toBe("");
  expect(JSON.parse(child.stdout)).toEqual({
    embeddedDefault: ["simulator"],
    afterDefault: false,
    jsonFile: ["fromJson"],
    afterJson: false,
    yamlFile: ["fromYaml"],
    afterYaml: true,
  });
});
