/**
 * What a route does about each detector, on the way in (the request) and on the way out
 * (the answer). Every field is optional: `resolveSafetyPolicy` fills the rest from the
 * defaults below, which are safe and cheap.
 */

/** off: not run. flag: reported. redact: replaced by a placeholder. block: refused. review: human review. */
export type DetectorAction = "off" | "flag" | "redact" | "block" | "review";

/** hold: the answer waits for a reviewer. flag: the answer goes out and an item is kept for audit. */
export type ReviewMode = "hold" | "flag";

export interface DetectorPolicy {
  action?: DetectorAction;
  /** Findings scoring below are ignored. For injection and toxicity it replaces the shipped threshold. */
  threshold?: number;
  /** Only these kinds count (PII kinds such as "EMAIL_ADDRESS"; default: the detector's default kinds). */
  kinds?: string[];
  /** For action `review`: overrides the route's review mode. */
  review?: ReviewMode;
}

export interface InputPolicy {
  /** API keys, tokens, private keys: every message and document. */
  secrets?: DetectorPolicy;
  /** Structured personal data (e-mail, phone, card, IBAN, SSN, IP, ...): every message and document. */
  pii?: DetectorPolicy;
  /** Names, places, organisations, street addresses (the tagger): every message and document. */
  names?: DetectorPolicy;
  /** Prompt injection in user turns. */
  injection?: DetectorPolicy;
  /** Prompt injection in what the model reads as data: tool messages and request documents. */
  documentInjection?: DetectorPolicy;
  /** Toxicity, hate and profanity in user turns. */
  toxicity?: DetectorPolicy;
}

export interface ToneRule {
  name: string;
  /**
   * Phrases matched on words, case-insensitively; `*` stands for any one word
   * ("you * idiot"). Matching is linear in the answer's length.
   */
  phrases: string[];
}

export interface DisclaimerRule {
  /** "medical", "legal" and "financial" have built-in keyword lists; other topics need `keywords`. */
  topic: string;
  /** Appended to an answer on the topic, after a blank line. */
  text: string;
  /** Words or phrases that put an answer on the topic (replace the built-in list). */
  keywords?: string[];
}

export interface BrandPolicy {
  /** What a banned term or tone rule does. Default "block" once terms or rules are configured. */
  action?: DetectorAction;
  review?: ReviewMode;
  /** Banned terms and competitor names, matched as whole words, case-insensitively. */
  bannedTerms?: string[];
  tone?: ToneRule[];
  disclaimers?: DisclaimerRule[];
}

export type ClaimAction = "off" | "flag" | "disclaim" | "block" | "review";

export interface ClaimPolicy {
  action?: ClaimAction;
  /** Support below this is unsupported; default the claim checker's shipped threshold. */
  threshold?: number;
  /** A knowledge base by name, used when the request carries no documents. */
  knowledgeBase?: string;
  /** For `disclaim`: the sentence put before the quoted unsupported statements. */
  disclaimer?: string;
  review?: ReviewMode;
}

export interface OutputPolicy {
  secrets?: DetectorPolicy;
  /** Personal data the model produced (placeholders it was given are not leaks). */
  pii?: DetectorPolicy;
  names?: DetectorPolicy;
  /** Toxicity, hate and profanity, scored per sentence. */
  toxicity?: DetectorPolicy;
  brand?: BrandPolicy;
  claims?: ClaimPolicy;
}

export interface ReviewPolicy {
  /** Default "hold". */
  mode?: ReviewMode;
  /** How long an item waits for a decision. Default 86,400 s. */
  ttlSeconds?: number;
  /** What happens to a held answer nobody decided on in time. Default "reject". */
  onExpiry?: "release" | "reject";
}

export interface SafetyPolicy {
  input?: InputPolicy;
  output?: OutputPolicy;
  /** Served (finishReason "content_filter") instead of a CONTENT_BLOCKED error when set. */
  safeReply?: string;
  review?: ReviewPolicy;
}

export const INPUT_DETECTORS = ["secrets", "pii", "names", "injection", "documentInjection", "toxicity"] as const;
export const OUTPUT_DETECTORS = ["secrets", "pii", "names", "toxicity"] as const;
export type InputDetectorName = (typeof INPUT_DETECTORS)[number];
export type OutputDetectorName = (typeof OUTPUT_DETECTORS)[number];

/** The actions each detector accepts: redacting an injection or a whole toxic turn means nothing. */
export const ALLOWED_ACTIONS = {
  input: {
    secrets: ["off", "flag", "redact", "block", "review"],
    pii: ["off", "flag", "redact", "block", "review"],
    names: ["off", "flag", "redact", "block", "review"],
    injection: ["off", "flag", "block", "review"],
    documentInjection: ["off", "flag", "block", "review"],
    toxicity: ["off", "flag", "block", "review"],
  },
  output: {
    secrets: ["off", "flag", "redact", "block", "review"],
    pii: ["off", "flag", "redact", "block", "review"],
    names: ["off", "flag", "redact", "block", "review"],
    toxicity: ["off", "flag", "redact", "block", "review"],
    brand: ["off", "flag", "redact", "block", "review"],
    claims: ["off", "flag", "disclaim", "block", "review"],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

/** Structured kinds redacted by default: identifiers, not facts like dates or places a question is about. */
export const DEFAULT_PII_KINDS = [
  "EMAIL_ADDRESS",
  "PHONE_NUMBER",
  "CREDIT_CARD",
  "IBAN_CODE",
  "US_SSN",
  "IP_ADDRESS",
  "US_DRIVER_LICENSE",
];

/**
 * Kinds of the tagger reported by default: the ones that point at a person. Places and
 * organisations ("the capital of France", "Acme's refund policy") are what most questions
 * are about, and the tagger also reads them into short lower-case turns; add GPE or
 * ORGANIZATION with `kinds` where they matter.
 */
export const DEFAULT_NAME_KINDS = ["PERSON", "STREET_ADDRESS"];

/**
 * The defaults. Input: credentials and identifiers are redacted (the model sees
 * placeholders, the caller gets the values back), people's names and street addresses flagged, injection
 * flagged on both channels (the document channel's false-positive rate, 3.8 % on its dev
 * set, is too high to block on by default), toxic turns flagged. Output: leaked
 * identifiers and credentials redacted, toxicity flagged (at 0.8), names, brand rules and claims off.
 */
export const DEFAULT_SAFETY_POLICY = {
  input: {
    secrets: { action: "redact" },
    pii: { action: "redact", kinds: DEFAULT_PII_KINDS },
    names: { action: "flag", kinds: DEFAULT_NAME_KINDS },
    injection: { action: "flag" },
    documentInjection: { action: "flag" },
    toxicity: { action: "flag" },
  },
  output: {
    secrets: { action: "redact" },
    pii: { action: "redact", kinds: DEFAULT_PII_KINDS },
    names: { action: "off", kinds: DEFAULT_NAME_KINDS },
    // Answers read like prose, on which the classifier's shipped threshold (tuned on comments) flags
    // 23 % of benign encyclopaedic passages sentence by sentence; at 0.8 none of 90 (README).
    toxicity: { action: "flag", threshold: 0.8 },
    brand: { action: "block", bannedTerms: [], tone: [], disclaimers: [] },
    claims: { action: "off" },
  },
  review: { mode: "hold", ttlSeconds: 86_400, onExpiry: "reject" },
} as const satisfies SafetyPolicy;
