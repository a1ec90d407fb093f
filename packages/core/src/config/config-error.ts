import type { ConfigIssue } from "./config-issues.ts";

/**
 * Thrown when a config is invalid. The message names where the config came from (the
 * file's path, "the environment", ...) and every bad field with what was expected, one
 * per line, so a launcher can print it as it is.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Where the config came from: a file path, "the environment", "the config object". */
  readonly source: string;
  readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[]) {
    super(
      `invalid Keel config in ${source}:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n")}`,
    );
    this.source = source;
    this.issues = issues;
  }
}
