import type { DisclaimerRule } from "../policy/policy.ts";
import { createPhraseMatcher, type PhraseMatcher, type WordToken } from "./phrase-matcher.ts";

/** Built-in topic words for the usual disclaimers; a rule's own `keywords` replace them. */
const BUILT_IN_TOPICS: Record<string, string[]> = {
  medical: [
    "diagnosis",
    "diagnose",
    "symptom",
    "symptoms",
    "treatment",
    "treat",
    "medication",
    "medicine",
    "dosage",
    "dose",
    "prescription",
    "prescribe",
    "doctor",
    "physician",
    "disease",
    "illness",
    "surgery",
    "therapy",
    "side effects",
    "mg",
    "vaccine",
    "infection",
    "antibiotic",
    "antibiotics",
    "blood pressure",
    "pregnancy",
    "chronic",
    "pain",
  ],
  legal: [
    "lawsuit",
    "sue",
    "attorney",
    "lawyer",
    "legal advice",
    "contract",
    "liability",
    "liable",
    "court",
    "statute",
    "litigation",
    "custody",
    "tenant rights",
    "copyright",
    "trademark",
    "plaintiff",
    "defendant",
    "jurisdiction",
    "legally",
    "law",
    "laws",
    "will and testament",
    "divorce",
  ],
  financial: [
    "invest",
    "investing",
    "investment",
    "investments",
    "stock",
    "stocks",
    "portfolio",
    "retirement",
    "401k",
    "ira",
    "tax",
    "taxes",
    "loan",
    "mortgage",
    "interest rate",
    "cryptocurrency",
    "bitcoin",
    "dividend",
    "bonds",
    "trading",
    "financial advice",
    "savings",
    "credit score",
    "debt",
    "index fund",
    "etf",
  ],
};

export interface TopicMatcher {
  /** The disclaimers whose topic the answer is on (two keyword hits, or one for a one-word list). */
  disclaimersFor(words: readonly WordToken[]): DisclaimerRule[];
}

export function createTopicMatcher(rules: readonly DisclaimerRule[]): TopicMatcher {
  const matchers: { rule: DisclaimerRule; matcher: PhraseMatcher; needed: number }[] = rules.map((rule) => {
    const keywords = rule.keywords ?? BUILT_IN_TOPICS[rule.topic] ?? [];
    return { rule, matcher: createPhraseMatcher(keywords), needed: Math.min(2, keywords.length) };
  });
  return {
    disclaimersFor(words) {
      return matchers
        .filter(({ matcher, needed }) => needed > 0 && matcher.find(words).length >= needed)
        .map(({ rule }) => rule);
    },
  };
}

export function knownTopics(): string[] {
  return Object.keys(BUILT_IN_TOPICS);
}
