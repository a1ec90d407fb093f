import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAPTOP, launchChromium, watchForErrors } from "./test-support/browser.ts";
import { type DashboardStack, holdForReview, sendTraffic, startDashboardStack } from "./test-support/stack.ts";

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core's WCAG 2 A and AA rules (labels, names, contrast, landmarks...) on the page as
 * it is now. Fails unless the contrast and label rules actually ran on something.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  const { violations, passes } = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(context: Document, options: object): Promise<{ violations: unknown[]; passes: Array<{ id: string }> }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"] } });
    return { violations: result.violations, passes: result.passes.map((rule) => rule.id) };
  });
  expect(passes).toContain("color-contrast");
  return (violations as AxeViolation[]).map(
    (violation) =>
      `${violation.id}: ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
}

describe("dashboard accessibility in chromium", () => {
  let stack: DashboardStack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startDashboardStack(), launchChromium()]);
    await sendTraffic(stack);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("has no WCAG A/AA violation on any page, an open review item and the sign-in screen included", async () => {
    await holdForReview(stack, 1);
    // The page's CSP refuses injected scripts (as it should); this context lets axe-core in.
    const context = await browser.newContext({ viewport: LAPTOP, bypassCSP: true });
    const page = await context.newPage();
    const problems = watchForErrors(page);
    await page.goto(stack.dashboardUrl);
    const requests = String((await stack.client.metrics.snapshot.query()).overall["5m"].requests);
    await expect.poll(() => page.getByTestId("overall-requests").textContent()).toBe(requests);
    expect(await axeViolations(page), "overview").toEqual([]);
    for (const [hash, ready] of [
      ["#/alerts", "alerts-resolved"],
      ["#/health", "breakers"],
      ["#/usage", "usage-totals"],
    ] as const) {
      await page.goto(`${stack.dashboardUrl}${hash}`);
      await page.getByTestId(ready).waitFor();
      expect(await axeViolations(page), hash).toEqual([]);
    }
    await page.goto(`${stack.dashboardUrl}#/review`);
    await page.getByRole("button", { name: /^Open item / }).click();
    await page.getByLabel("Your name").waitFor();
    await page.getByLabel("Reject").check();
    expect(await axeViolations(page), "review").toEqual([]);
    await page.getByRole("button", { name: "Sign in with a key" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await axeViolations(page), "sign-in").toEqual([]);
    expect(await page.getByLabel("API key").getAttribute("type")).toBe("password");
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it("works from the keyboard alone: skip link, navigation, opening an item and approving it", async () => {
    const [id] = await holdForReview(stack, 1);
    const context = await browser.newContext({ viewport: LAPTOP });
    const page = await context.newPage();
    const problems = watchForErrors(page);
    await page.goto(stack.dashboardUrl);
    await page.getByTestId("overall-requests").waitFor();
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");

    await page.keyboard.press("Tab");
    expect(await focused()).toBe("Skip to content");
    await page.keyboard.press("Tab"); // the session button in the header
    expect(await focused()).toBe("Sign in with a key");
    for (const title of ["Overview", "Alerts", "Breakers and readiness", "Usage and cost", "Review queue"]) {
      await page.keyboard.press("Tab");
      expect(await focused()).toBe(title);
    }
    await page.keyboard.press("Enter");
    // The new page's heading takes focus, so a screen reader announces it.
    await expect.poll(() => focused()).toBe("Review queue");
    const open = page.getByRole("button", { name: `Open item ${id}` });
    await open.waitFor();
    // Visible focus: the focused control has an outline.
    await open.focus();
    expect(await open.evaluate((element) => getComputedStyle(element).outlineStyle)).not.toBe("none");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused()).toBe(`Item ${id}`);
    await page.getByLabel("Your name").focus();
    await page.keyboard.type("Kim");
    await page.keyboard.press("Enter"); // submits the form: Approve is the chosen decision
    await expect.poll(() => page.getByTestId("review-outcome").textContent()).toBe(`Approved item ${id}.`);
    expect((await stack.pipeline.review.get("default", id!)).decision?.reviewer).toBe("Kim");
    expect(problems).toEqual([]);
    await context.close();
  });
});
