import { buildDashboard } from "../server/index.ts";

/** The browser tests load the built files, so every run builds the current code first. */
export default async function setup(): Promise<void> {
  await buildDashboard();
}
