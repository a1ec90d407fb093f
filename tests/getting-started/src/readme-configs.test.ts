import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPipeline, loadConfig } from "@keel/core";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./test-support/keel-process.ts";
import { fencedBlocks, readText, readmeFiles } from "./test-support/markdown.ts";

/**
 * Every ```yaml / ```json block in every README.md is a Keel config a reader may copy
 * into KEEL_CONFIG, so each one is loaded as `pnpm start` loads it and built into a
 * pipeline. A block that is not a config says so after the language (```json response),
 * and is left alone. (The README's own example once crashed the start.)
 */
const CONFIG_LANGUAGES: Record<string, string> = { yaml: ".yaml", yml: ".yaml", json: ".json" };

const configBlocks = readmeFiles(REPO_ROOT).flatMap((path) =>
  fencedBlocks(readText(REPO_ROOT, path))
    .filter((block) => Object.hasOwn(CONFIG_LANGUAGES, block.info))
    .map((block) => ({
      name: `${path}:${block.line}`,
      extension: CONFIG_LANGUAGES[block.info] as string,
      body: block.body,
    })),
);

describe("README config blocks", () => {
  it("include the root README's example config", () => {
    expect(configBlocks.map((block) => block.name)).toContain(
      `README.md:${fencedBlocks(readText(REPO_ROOT, "README.md")).find((block) => block.info === "yaml")?.line}`,
    );
  });

  it.each(configBlocks)("$name loads as KEEL_CONFIG and builds a pipeline", async ({ name, extension, body }) => {
    const file = join(mkdtempSync(join(tmpdir(), "keel-readme-")), `config${extension}`);
    writeFileSync(file, body);
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({ KEEL_CONFIG: file, KEEL_LOG_LEVEL: "silent" });
    } catch (error) {
      throw new Error(`${name} does not load:\n${(error as Error).message}`);
    }
    const pipeline = createPipeline(config);
    expect(Object.keys(pipeline.config.models).length).toBeGreaterThan(0);
    await pipeline.close();
  });
});
