/**
 * `pnpm build`: JavaScript for a production start on plain `node` (no tsx, no source maps
 * on the hot path). One `tsc -p tsconfig.build.json` compiles every workspace's src/
 * (tests and test-support left out; relative `.ts` imports rewritten to `.js`), then each
 * workspace's output moves next to its source as `dist/` (so its own node_modules still
 * resolve its dependencies), with the non-TypeScript files of src/ (model weights, the
 * GraphQL schema) copied beside it. Packages export `dist/` under the `keel-dist` condition:
 * `node --conditions=keel-dist apps/trpc/dist/main.js` (what `pnpm start:prod` runs).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const staging = join(root, ".keel-build");
const workspaces = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, "src")))
    .map((entry) => join(group, entry.name)),
);

rmSync(staging, { recursive: true, force: true });
for (const workspace of workspaces) rmSync(join(root, workspace, "dist"), { recursive: true, force: true });
rmSync(join(root, "scripts", "dist"), { recursive: true, force: true });

const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

/** Files of src/ that a running service reads: not TypeScript, not tests or their support. */
const isRuntimeAsset = (path) => {
  if (path.split("/").includes("test-support")) return false;
  if (statSync(path).isDirectory()) return true;
  return !path.endsWith(".ts") && !/\.test\.[cm]?[jt]s$/.test(path);
};
for (const workspace of workspaces) {
  const built = join(staging, workspace, "src");
  if (!existsSync(built)) continue;
  const dist = join(root, workspace, "dist");
  renameSync(built, dist);
  cpSync(join(root, workspace, "src"), dist, { recursive: true, filter: isRuntimeAsset });
}
renameSync(join(staging, "scripts"), join(root, "scripts", "dist"));
rmSync(staging, { recursive: true, force: true });
console.log(`built ${workspaces.length} workspaces and scripts/dist`);
