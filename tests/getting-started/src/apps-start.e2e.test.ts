import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@keel/testkit";
import { describe, expect, it } from "vitest";
import { plainLines, runPnpm } from "./test-support/keel-process.ts";

/** The lines a process printed after the line matching `marker`, pnpm's `>` header lines and log lines left out. */
function linesAfter(text: string, marker: RegExp): string[] {
  const match = marker.exec(text);
  if (!match) throw new Error(`${marker} not in:\n${text}`);
  return plainLines(text.slice(match.index + match[0].length)).filter((line) => !line.startsWith(">"));
}

const GRAPHQL_LISTENING = /Keel GraphQL service listening on http:\/\/127\.0\.0\.1:\d+\/graphql\n/;
const SIMULATOR_LISTENING = /Keel simulator listening on http:\/\/127\.0\.0\.1:\d+\/v1\n/;

describe("each app's own start script (pnpm --filter <app> start)", () => {
  it("the tRPC service: a config error is one message and exit 1", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "keel-app-")), "keel.json");
    writeFileSync(file, JSON.stringify({ model: { chat: { targets: ["simulator/gpt-4o-mini"] } } }));
    const app = runPnpm(["--filter", "@keel/trpc", "start"], {
      KEEL_CONFIG: file,
      KEEL_TRPC_PORT: String(await freePort()),
    });
    try {
      expect((await app.exited).code).toBe(1);
      const stderr = app.stderr();
      expect(stderr).toContain(
        `Keel did not start: invalid Keel config in ${file}:\n  - model: unknown field; did you mean "models"?\n`,
      );
      expect(stderr).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
    } finally {
      await app.kill();
    }
  });

  it("the GraphQL service: Ctrl-C prints one line and exits 0", async () => {
    const port = await freePort();
    const app = runPnpm(["--filter", "@keel/graphql", "start"], {
      KEEL_GRAPHQL_PORT: String(port),
      KEEL_SIMULATOR_PORT: String(await freePort()),
    });
    try {
      await app.waitFor(GRAPHQL_LISTENING);
      app.interrupt();
      expect(await app.exited).toEqual({ code: 0, signal: null });
      expect(linesAfter(app.stdout(), GRAPHQL_LISTENING)).toEqual([
        expect.stringMatching(/^Authentication is off: no API key exists yet/),
        expect.stringMatching(/^SIGINT: Keel is stopping \(in-flight requests get up to \d+ ms\)$/),
      ]);
      expect(app.stdout() + app.stderr()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    } finally {
      await app.kill();
    }
  });
});

describe("the simulator CLI (pnpm --filter @keel/simulator start)", () => {
  it.each([
    ["Ctrl-C", "SIGINT"],
    ["SIGTERM", "SIGTERM"],
  ] as const)(
    "stops on %s with one line and exit 0 (it printed ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL)",
    async (how, signal) => {
      const port = await freePort();
      const simulator = runPnpm(["--filter", "@keel/simulator", "start", "--", "--port", String(port)]);
      try {
        await simulator.waitFor(SIMULATOR_LISTENING);
        expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(200);
        if (how === "Ctrl-C") simulator.interrupt();
        else simulator.terminate();
        expect(await simulator.exited).toEqual({ code: 0, signal: null });
        expect(linesAfter(simulator.stdout(), SIMULATOR_LISTENING)).toEqual([`${signal}: the simulator is stopping`]);
        expect(simulator.stdout() + simulator.stderr()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
      } finally {
        await simulator.kill();
      }
    },
  );
});
