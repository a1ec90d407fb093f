import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's chromium (apt-get install chromium), never a browser download. The real binary
 * behind Debian's /usr/bin/chromium wrapper script; CHROMIUM_PATH overrides.
 */
export function chromiumPath(): string {
  // biome-ignore lint/style/noProcessEnv: test support reads its one setting like the tests do
  const candidates = [process.env.CHROMIUM_PATH, "/usr/lib/chromium/chromium", "/usr/bin/chromium"];
  const found = candidates.find((path) => path !== undefined && path !== "" && existsSync(path));
  if (found === undefined)
    throw new Error("chromium is not installed: apt-get install chromium (.ci/run does it when it is missing)");
  return found;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
}

/** Console errors, failed page scripts and refused requests of one page, for a test to assert none. */
export function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  return problems;
}

/** A laptop screen. */
export const LAPTOP = { width: 1366, height: 800 };
