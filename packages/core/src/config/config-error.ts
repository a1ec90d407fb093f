import type { z } from "zod";

/** Thrown when a config is invalid; the message names every bad field and what was expected. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(source: string, issues: ReadonlyArray<{ path: string; message: string }>) {
    super(
      `invalid Keel config (${source}):\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n")}`,
    );
    this.issues = issues;
  }

  static fromZod(source: string, error: z.ZodError): ConfigError {
    return new ConfigError(
      source,
      error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(root)", message: issue.message })),
    );
  }
}
