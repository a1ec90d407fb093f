import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's folder, and the built dashboard inside it: what the tRPC service serves at /dashboard. */
const packageDirectory = fileURLToPath(new URL("..", import.meta.url));
export const dashboardDirectory = join(packageDirectory, "dist");

/** Builds the single-page app into `dashboardDirectory` with Vite (a few seconds). */
export async function buildDashboard(): Promise<void> {
  // Imported here, so serving the built files never loads the bundler.
  const { build } = await import("vite");
  await build({ root: packageDirectory, configFile: join(packageDirectory, "vite.config.ts"), logLevel: "warn" });
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
