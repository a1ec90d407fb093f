import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's folder, and the built dashboard inside it: what the tRPC service serves at /dashboard. */
const packageDirectory = fileURLToPath(new URL("..", import.meta.url));
export const dashboardDirectory = join(packageDirectory, "dist");

/**
 * Builds the single-page app into `dashboardDirectory` with Vite (a few seconds), in a
 * child process: Vite takes production or development from NODE_ENV when it is set, and a
 * test runner sets it to "test", which would bundle React's development build.
 */
export async function buildDashboard(): Promise<void> {
  const vite = join(packageDirectory, "node_modules", "vite", "bin", "vite.js");
  // biome-ignore lint/style/noProcessEnv: the child gets this process's environment with NODE_ENV pinned
  const env = { ...process.env, NODE_ENV: "production" };
  const output: string[] = [];
  const child = spawn(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: packageDirectory, env });
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`the dashboard build failed (vite exit ${code}):\n${output.join("")}`);
}

/**
 * Builds the dashboard when it was never built or a source file is newer than the build,
 * so `pnpm start` always serves the current code. Returns whether it built.
 */
export async function ensureDashboardBuilt(): Promise<boolean> {
  const index = join(dashboardDirectory, "index.html");
  if (existsSync(index) && newestSource() <= statSync(index).mtimeMs) return false;
  await buildDashboard();
  return true;
}

function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stats = statSync(path);
    if (stats.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stats.mtimeMs);
  };
  for (const entry of ["src", "index.html", "vite.config.ts", "package.json"]) visit(join(packageDirectory, entry));
  return newest;
}
