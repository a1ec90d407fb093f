import type { Detector, Finding } from "../finding.ts";
import { hasContextNear } from "../pii/context.ts";
import { shannonEntropy } from "./entropy.ts";
import { isJsonWebToken } from "./json-web-token.ts";
import { findPrivateKeyBlocks } from "./private-key-blocks.ts";
import { providerRules } from "./provider-rules.ts";
import { findSecretTokens } from "./secret-tokens.ts";

export interface SecretsDetectorOptions {
  /** Bits per character a context-flagged token needs to count as HIGH_ENTROPY_SECRET. Default 3.5. */
  entropyThreshold?: number;
  /** Shortest token the entropy rule considers. Default 20. */
  minimumLength?: number;
}

const name = "secrets";
const version = "1.0.0";
const secretContext = {
  words: [
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "apikey",
    "api_key",
    "api-key",
    "bearer",
    "auth",
    "authorization",
    "credential",
    "credentials",
    "access_key",
    "secret_key",
    "client_secret",
    "private",
  ],
  before: 40,
  after: 0,
};
const awsSecretContext = {
  words: ["aws", "secret", "secret_access_key", "aws_secret_access_key"],
  before: 60,
  after: 0,
};

/**
 * Credentials in text. Provider keys by prefix and shape (OPENAI_KEY, AWS_ACCESS_KEY,
 * GITHUB_TOKEN, SLACK_TOKEN, STRIPE_KEY), PRIVATE_KEY blocks, JWTs (header decodes to JSON),
 * AWS_SECRET_KEY (40 base64 characters after "aws" or "secret"), and HIGH_ENTROPY_SECRET: a
 * token of 20+ characters mixing letter cases or digits, with Shannon entropy above the
 * threshold, within 40 characters after a word such as "key", "token", "password" or "bearer".
 */
export function createSecretsDetector(options: SecretsDetectorOptions = {}): Detector {
  const entropyThreshold = options.entropyThreshold ?? 3.5;
  const minimumLength = options.minimumLength ?? 20;
  return {
    name,
    version,
    detect(text: string): Finding[] {
      const findings = findPrivateKeyBlocks(text, name);
      for (const token of findSecretTokens(text)) {
        const value = text.slice(token.start, token.end);
        const kind = classify(text, { token, value, entropyThreshold, minimumLength });
        if (kind) findings.push({ kind, ...token, score: kind === "HIGH_ENTROPY_SECRET" ? 0.7 : 1, detector: name });
      }
      return withoutOverlaps(findings);
    },
  };
}

function classify(
  text: string,
  candidate: { token: { start: number; end: number }; value: string; entropyThreshold: number; minimumLength: number },
): string | undefined {
  const { token, value } = candidate;
  for (const rule of providerRules) if (rule.pattern.test(value)) return rule.kind;
  if (isJsonWebToken(value)) return "JWT";
  if (value.length < candidate.minimumLength || value.length > 512 || !looksRandom(value)) return undefined;
  if (value.length === 40 && /^[A-Za-z0-9/+]{40}$/.test(value) && hasContextNear(text, token, awsSecretContext)) {
    return "AWS_SECRET_KEY";
  }
  const threshold = /^[0-9a-fA-F]+$/.test(value) ? candidate.entropyThreshold - 0.5 : candidate.entropyThreshold;
  if (shannonEntropy(value) >= threshold && hasContextNear(text, token, secretContext)) return "HIGH_ENTROPY_SECRET";
  return undefined;
}

/** Digits and letters mixed, or both letter cases: words, paths and numbers alone are not secrets. */
function looksRandom(value: string): boolean {
  const hasDigit = /\d/.test(value);
  const hasLower = /[a-z]/.test(value);
  const hasUpper = /[A-Z]/.test(value);
  if (value.includes("/") && !/[A-Za-z0-9+]{16}/.test(value)) return false; // a path, not base64
  return (hasDigit && (hasLower || hasUpper)) || (hasLower && hasUpper && value.length >= 24);
}

function withoutOverlaps(findings: Finding[]): Finding[] {
  findings.sort((left, right) => left.start - right.start);
  const kept: Finding[] = [];
  for (const finding of findings) {
    const last = kept[kept.length - 1];
    if (last && finding.start < last.end) continue;
    kept.push(finding);
  }
  return kept;
}
