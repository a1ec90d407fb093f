export type { Detector, Finding } from "./finding.ts";
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
