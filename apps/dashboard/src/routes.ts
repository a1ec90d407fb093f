import type { Role } from "./session/session-context.ts";

export type PageName = "overview" | "alerts" | "health" | "usage" | "review";

export interface PageEntry {
  name: PageName;
  title: string;
  /** The least role that sees the page. */
  role: Role;
}

export const PAGES: readonly PageEntry[] = [
  { name: "overview", title: "Overview", role: "caller" },
  { name: "alerts", title: "Alerts", role: "caller" },
  { name: "health", title: "Breakers and readiness", role: "caller" },
  { name: "usage", title: "Usage and cost", role: "caller" },
  { name: "review", title: "Review queue", role: "reviewer" },
];

/** The page named in the location's hash (`#/review`), else the overview. */
export function pageFromHash(hash: string): PageName {
  const name = hash.replace(/^#\/?/, "").split("/", 1)[0];
  return PAGES.find((page) => page.name === name)?.name ?? "overview";
}
