import { structuredKinds } from "../pii/structured-detectors.ts";

/**
 * The kinds each policy entry can report, for checking a config's `kinds` lists (a test
 * keeps the names list in step with the tagger's weights).
 */
export const KNOWN_KINDS: Readonly<Record<string, readonly string[]>> = {
  pii: structuredKinds,
  names: ["PERSON", "GPE", "ORGANIZATION", "STREET_ADDRESS", "TITLE", "NRP", "ZIP_CODE"],
  secrets: [
    "OPENAI_KEY",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "GITHUB_TOKEN",
    "SLACK_TOKEN",
    "STRIPE_KEY",
    "PRIVATE_KEY",
    "JWT",
    "HIGH_ENTROPY_SECRET",
  ],
  injection: ["INJECTION"],
  documentInjection: ["INJECTION"],
  toxicity: ["TOXIC", "HATE", "PROFANITY"],
};
