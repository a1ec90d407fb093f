#!/usr/bin/env node
// Runs `biome check .` (the root `lint` script: lint and format check) first, then every
// package's typecheck and tests through Turborepo, then prints one closing line,
// `N passed, N failed`, summed from each package's vitest JSON report. The lint counts as
// neither a passed nor a failed test. Exits non-zero on any failure, on a failed lint or
// typecheck, or when no test ran at all.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
ensureRedisServer();
// The tests still run after a failed lint, so one run reports both.
const lintFailed = !lint();
const workspaces = listWorkspaces();
for (const dir of workspaces) rmSync(join(dir, ".vitest-result.json"), { force: true });

// One package at a time: the end-to-end suites measure elapsed time and count upstream
// calls, and two of them competing for a 2-core machine only makes them slower and noisier.
const turbo = spawnSync(
  join(root, "node_modules", ".bin", "turbo"),
  ["run", "typecheck", "test", "--continue=dependencies-successful", "--concurrency=1", ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: pathWithPnpm(), TURBO_TELEMETRY_DISABLED: "1", NO_COLOR: process.env.NO_COLOR ?? "1" },
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of workspaces) {
  const file = join(dir, ".vitest-result.json");
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}

const turboFailed = turbo.status !== 0;
if (turboFailed && failed === 0) failed = 1; // a typecheck or a crashed runner counts as a failure
if (lintFailed) {
  console.error(
    "Lint failed: `biome check .` (pnpm lint) reported errors, printed before the tests; the run fails whatever the tests say. `./node_modules/.bin/biome check --write .` applies the safe fixes.",
  );
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(lintFailed || turboFailed || failed > 0 || passed === 0 ? 1 : 0);

// The root `lint` script, run with the repository's own Biome; true when it passed.
function lint() {
  console.log("biome check . (pnpm lint)");
  const biome = spawnSync(join(root, "node_modules", ".bin", "biome"), ["check", "."], {
    cwd: root,
    stdio: "inherit",
  });
  if (biome.error) console.error(`biome could not be started: ${biome.error.message}`);
  return biome.status === 0;
}

function listWorkspaces() {
  const dirs = [];
  for (const group of ["packages", "apps", "tooling", "tests"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true }))
      if (entry.isDirectory()) dirs.push(join(base, entry.name));
  }
  return dirs;
}

// Turborepo runs each package's script through `pnpm`. Started as `npx pnpm@... test` on a
// machine without a global pnpm, there is none on PATH: put a shim for the running one there.
function pathWithPnpm() {
  const path = process.env.PATH ?? "";
  const onPath = spawnSync("pnpm", ["--version"], { stdio: "ignore" }).status === 0;
  const running = process.env.npm_execpath;
  if (onPath || !running || !/pnpm/.test(running)) return path;
  const directory = mkdtempSync(join(tmpdir(), "keel-pnpm-"));
  const shim = join(directory, "pnpm");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${running}" "$@"\n`);
  chmodSync(shim, 0o755);
  return `${directory}${delimiter}${path}`;
}

// Tests run against a real redis-server and fail, never skip, without one. On a fresh
// Debian machine where we are root, install it from Debian's packages; elsewhere say how.
function ensureRedisServer() {
  const binary = process.env.REDIS_SERVER_BIN ?? "redis-server";
  const present = () => spawnSync(binary, ["--version"], { stdio: "ignore" }).status === 0;
  if (present()) return;
  const canInstall = process.getuid?.() === 0 && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (canInstall) {
    console.log("redis-server is missing: installing it from Debian's packages (apt-get install redis-server)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const updated = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const installed =
      updated.status === 0 && spawnSync("apt-get", ["install", "-y", "-qq", "redis-server"], { stdio: "inherit", env });
    if (installed && installed.status === 0 && present()) return;
  }
  console.error(
    "The tests need a real redis-server on PATH (or REDIS_SERVER_BIN): e.g. `sudo apt-get install redis-server` or `brew install redis`.",
  );
  console.log("0 passed, 1 failed");
  process.exit(1);
}
