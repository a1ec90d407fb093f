/**
 * Credentials recognisable by their own prefix. Each pattern is tested against one whole token
 * (anchored at both ends), so its bounded repetitions never run past that token.
 */
export interface ProviderRule {
  kind: string;
  pattern: RegExp;
}

export const providerRules: readonly ProviderRule[] = [
  { kind: "OPENAI_KEY", pattern: /^sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,250}$/ },
  { kind: "AWS_ACCESS_KEY", pattern: /^(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}$/ },
  { kind: "GITHUB_TOKEN", pattern: /^(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})$/ },
  { kind: "SLACK_TOKEN", pattern: /^xox[abprs]-[A-Za-z0-9-]{10,250}$/ },
  { kind: "STRIPE_KEY", pattern: /^(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,247}$/ },
];
