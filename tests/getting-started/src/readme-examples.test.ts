import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runPnpm, type UserProcess } from "./test-support/keel-process.ts";
import { fencedBlocks, readText } from "./test-support/markdown.ts";

/**
 * Each package README opens with an example that is a real file, examples/readme.ts:
 * the README shows it verbatim, tsc checks it, and it runs to completion here. (The cache
 * and telemetry examples used names they never defined.)
 */
const packages = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(REPO_ROOT, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(REPO_ROOT, group, entry.name, "README.md")))
    .map((entry) => `${group}/${entry.name}`),
);
const withExamples = packages.filter((directory) =>
  fencedBlocks(readText(REPO_ROOT, `${directory}/README.md`)).some((block) =>
    ["ts", "typescript"].includes(block.info),
  ),
);

/** What each example prints when it worked (beyond exiting 0). */
const EXPECTED_OUTPUT: Record<string, RegExp> = {
  "packages/spec": /^true\n/,
  "packages/providers": /\n2 vectors of \d+ dimensions\n$/,
  "packages/resilience": /answeredBy: 'openai\/gpt-4o'[\s\S]*We are busy; please try again in a minute\. static\n$/,
  "packages/cache": /miss exact upstream calls: 1\n[\s\S]*miss upstream calls: 2\n[\s\S]*\nsemantic\n/,
  "packages/validation": /name: 'Ada Lovelace', born: 1815/,
  "packages/telemetry": /"service":"keel-trpc","requestId":"r1"[\s\S]*\n1\n0\.0000198\n/,
  "packages/core": /\n 1 1\n$/,
  "packages/simulator": /call 3: status 500\ncall 4: \S/,
  "packages/governance":
    /rule: 'default', promptTokensSaved: 1[\s\S]*type: 'rate-limited'[\s\S]*remainingMicroUsd: \d+/,
  "packages/safety":
    /^PERSON Maria Silva [\d.]+\nCREDIT_CARD 4111 1111 1111 1111 1\n\[ 'EMAIL_ADDRESS' \]\n\[ 'OPENAI_KEY' \]\ntrue\n$/,
  // The webhook may arrive before or after the result line: look for each, in any order.
  "packages/jobs":
    /^(?=[\s\S]*: completed 100%\n)(?=[\s\S]*result: \{ upper: 'HELLO FROM A JOB', attempt: 1 \})(?=[\s\S]*webhook received: signature ok)/,
  "apps/trpc": /\n \d+ ms\n$/,
  "apps/graphql": /"cache":"MISS"/,
  "apps/openai": /\n(miss|exact) \d+(\.\d+)?\n[\s\S]*\n \d+ tokens\n404 BAD_REQUEST\n$/,
};

function run(
  directory: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/readme.ts"], {
      cwd: join(REPO_ROOT, directory),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("package README examples", () => {
  it("every package with a TypeScript example in its README is covered", () => {
    expect(withExamples.sort()).toEqual(Object.keys(EXPECTED_OUTPUT).sort());
  });

  it.each(withExamples)("%s: the README's first example is examples/readme.ts, verbatim", (directory) => {
    const first = fencedBlocks(readText(REPO_ROOT, `${directory}/README.md`)).find((block) =>
      ["ts", "typescript"].includes(block.info),
    );
    expect(first?.body.trim()).toBe(readText(REPO_ROOT, `${directory}/examples/readme.ts`).trim());
  });

  it("they all type-check", async () => {
    const tsc = spawn(join(REPO_ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.examples.json"], {
      cwd: join(REPO_ROOT, "tests/getting-started"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    tsc.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const code = await new Promise((resolve) => tsc.once("close", resolve));
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  describe("they run", () => {
    // The tRPC and OpenAI examples are clients: they talk to a running Keel, as an application would.
    let keel: UserProcess;
    let trpcUrl: string;
    let openaiUrl: string;
    beforeAll(async () => {
      const trpcPort = String(await freePort());
      const openaiPort = String(await freePort());
      keel = runPnpm(["start"], {
        KEEL_TRPC_PORT: trpcPort,
        KEEL_GRAPHQL_PORT: String(await freePort()),
        KEEL_OPENAI_PORT: openaiPort,
        KEEL_SIMULATOR_PORT: String(await freePort()),
        KEEL_LOG_LEVEL: "warn",
      });
      await keel.waitFor(/Ctrl-C stops Keel\./);
      trpcUrl = `http://127.0.0.1:${trpcPort}/trpc`;
      openaiUrl = `http://127.0.0.1:${openaiPort}/v1`;
    });
    afterAll(() => keel.kill());

    it.each(withExamples)("%s", async (directory) => {
      const result = await run(directory, { KEEL_TRPC_URL: trpcUrl, KEEL_OPENAI_URL: openaiUrl });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(EXPECTED_OUTPUT[directory] as RegExp);
    });
  });
});
