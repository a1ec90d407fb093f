/**
 * Saves screenshots of the overview and the review queue (an item open) into docs/, for
 * the README: `pnpm --filter @keel/dashboard screenshots`. Builds the dashboard, starts the
 * simulator and the tRPC service, sends the browser tests' traffic, and shoots in Debian's
 * chromium at a laptop's size.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "../server/index.ts";
import { LAPTOP, launchChromium } from "../test/test-support/browser.ts";
import { holdForReview, sendTraffic, startDashboardStack } from "../test/test-support/stack.ts";

const docs = fileURLToPath(new URL("../../../docs/", import.meta.url));

await buildDashboard();
const stack = await startDashboardStack();
const browser = await launchChromium();
try {
  await sendTraffic(stack);
  const [first] = await holdForReview(stack, 3);
  const page = await browser.newPage({ viewport: LAPTOP, deviceScaleFactor: 1 });
  await page.goto(stack.dashboardUrl);
  await page.getByTestId("models").waitFor();
  await mkdir(docs, { recursive: true });
  await page.screenshot({ path: `${docs}dashboard-overview.png`, fullPage: true });
  await page.goto(`${stack.dashboardUrl}#/review`);
  await page.getByRole("button", { name: `Open item ${first}` }).click();
  await page.getByLabel("Your name").fill("Rita");
  await page.getByLabel("Reject").check();
  await page.getByLabel(/^Reason for rejecting/).fill("Insults the customer.");
  await page.screenshot({ path: `${docs}dashboard-review.png`, fullPage: true });
  console.log(`saved ${docs}dashboard-overview.png and ${docs}dashboard-review.png`);
} finally {
  await browser.close();
  await stack.close();
}
