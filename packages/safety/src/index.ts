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
