import { readFileSync } from "node:fs";

/** The 515 strings of the Big List of Naughty Strings (MIT; see ../test-data/README.md). */
export const NAUGHTY_STRINGS: string[] = JSON.parse(
  readFileSync(new URL("../test-data/blns.json", import.meta.url), "utf8"),
) as string[];
