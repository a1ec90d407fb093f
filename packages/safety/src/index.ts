export type { Detector, Finding } from "./finding.ts";
export { createNerDetector, type NerDetector } from "./ner/ner-detector.ts";
export { createAgeDetector } from "./pii/age-detector.ts";
export { createCreditCardDetector } from "./pii/credit-card-detector.ts";
export { createDateTimeDetector } from "./pii/date-time-detector.ts";
export { createDriverLicenseDetector } from "./pii/driver-license-detector.ts";
export { createEmailDetector } from "./pii/email-detector.ts";
export { createIbanDetector } from "./pii/iban-detector.ts";
export { createIpAddressDetector } from "./pii/ip-address-detector.ts";
export { createPhoneDetector } from "./pii/phone-detector.ts";
export { createPiiDetector, detectPii, type PiiDetector, type PiiDetectorOptions } from "./pii/pii-detector.ts";
export { createUrlDetector } from "./pii/url-detector.ts";
export { createUsSsnDetector } from "./pii/us-ssn-detector.ts";
export { createZipCodeDetector } from "./pii/zip-code-detector.ts";
export { createSecretsDetector, type SecretsDetectorOptions } from "./secrets/secrets-detector.ts";
export { normaliseText } from "./text/normalise-text.ts";
export { type MappedText, originalSpan } from "./text/mapped-text.ts";
export {
  createInjectionDetector,
  type InjectionChannel,
  type InjectionDetector,
  type InjectionDetectorOptions,
} from "./injection/injection-detector.ts";
export {
  createToxicityDetector,
  type ToxicityDetector,
  type ToxicityDetectorOptions,
} from "./toxicity/toxicity-detector.ts";
export {
  type ClaimCheck,
  type ClaimChecker,
  type ClaimCheckerOptions,
  type ClaimVerdict,
  createClaimChecker,
  type EmbedTexts,
  type Passage,
} from "./claims/claim-checker.ts";
export { chunkKnowledge, loadKnowledgeBase } from "./claims/knowledge-base.ts";
export {
  createModerationDetector,
  type ModerationDetector,
  type ModerationDetectorOptions,
} from "./moderation/moderation-detector.ts";
export { loadKnowledgeBases } from "./claims/knowledge-bases.ts";
export {
  ALLOWED_ACTIONS,
  type BrandPolicy,
  type ClaimAction,
  type ClaimPolicy,
  DEFAULT_NAME_KINDS,
  DEFAULT_PII_KINDS,
  DEFAULT_SAFETY_POLICY,
  type DetectorAction,
  type DetectorPolicy,
  type DisclaimerRule,
  INPUT_DETECTORS,
  type InputDetectorName,
  type InputPolicy,
  OUTPUT_DETECTORS,
  type OutputDetectorName,
  type OutputPolicy,
  type ReviewMode,
  type ReviewPolicy,
  type SafetyPolicy,
  type ToneRule,
} from "./policy/policy.ts";
export { createPolicyResolver, type ResolvedSafetyPolicy, resolveSafetyPolicy } from "./policy/resolve-policy.ts";
export { knownTopics } from "./stages/topics.ts";
export { createVault, type Vault } from "./redaction/vault.ts";
export { createStreamRestorer } from "./redaction/stream-restorer.ts";
export { inputSafetyMiddleware, type InputSafetyOptions } from "./stages/input-middleware.ts";
export { outputSafetyMiddleware, type OutputSafetyOptions } from "./stages/output-middleware.ts";
export { createOutputGuard, type OutputGuard } from "./stages/output-guard.ts";
export type { ReviewDecision, ReviewItem, ReviewSummary } from "./review/review-item.ts";
export type { ReviewStore } from "./review/review-store.ts";
export { createMemoryReviewStore } from "./review/memory-review-store.ts";
export { createRedisReviewStore, type RedisReviewStoreOptions } from "./review/redis-review-store.ts";
export {
  createReviewQueue,
  type NewReviewItem,
  type ReviewListQuery,
  type ReviewPage,
  type ReviewQueue,
  type ReviewQueueOptions,
} from "./review/review-queue.ts";
export { KNOWN_KINDS } from "./policy/known-kinds.ts";
export { runWarmUpSamples, warmUpScanners } from "./stages/scanners.ts";
