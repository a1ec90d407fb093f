/**
 * Redacts personal data and credentials from free text (prompts, answers, error
 * messages) before it reaches a log line, then truncates it. Patterns are deliberately
 * greedy: a false positive in a log costs nothing, a leaked card number costs a lot.
 */
const REPLACEMENTS: ReadonlyArray<readonly [RegExp, string]> = [
  // Credentials first, so a key that contains digits is not half-eaten by the number rules.
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [REDACTED]"],
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, "[API_KEY]"],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, "[API_KEY]"],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, "[API_KEY]"],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, "[API_KEY]"],
  [
    /\b(api[_-]?key|apikey|token|secret|password|authorization)(["']?\s*[:=]\s*["']?)(?!Bearer \[)[^\s"',;}]+/gi,
    "$1$2[REDACTED]",
  ],
  // OpenAI organisation and project ids, which upstream error messages quote.
  [/\b(?:org|proj)[-_][A-Za-z0-9]{8,}\b/g, "[ACCOUNT_ID]"],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, "[EMAIL]"],
  // IPv4 addresses: internal hosts named in upstream errors.
  [/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, "[IP]"],
  [/\b\d{3}-\d{2}-\d{4}\b/g, "[SSN]"],
  // 13 to 19 digits, optionally grouped by spaces or dashes: payment card numbers.
  [/\b\d(?:[ -]?\d){12,18}\b/g, "[CARD]"],
  [/(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\b\d{2,4})[ .-]?\d{3,4}[ .-]?\d{3,4}\b/g, "[PHONE]"],
];

export const DEFAULT_MAX_PROMPT_CHARS = 500;

/** Redacts emails, phone numbers, card numbers, SSN-like numbers, API keys, bearer tokens, account ids and IPv4 addresses, then truncates. */
export function sanitizeText(text: string, maxChars: number = DEFAULT_MAX_PROMPT_CHARS): string {
  let result = text;
  for (const [pattern, replacement] of REPLACEMENTS) result = result.replace(pattern, replacement);
  if (result.length > maxChars) {
    result = `${result.slice(0, maxChars)}…[truncated ${result.length - maxChars} chars]`;
  }
  return result;
}
