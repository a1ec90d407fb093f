import {
  type BrandPolicy,
  type ClaimAction,
  type ClaimPolicy,
  DEFAULT_SAFETY_POLICY,
  type DetectorAction,
  type DetectorPolicy,
  type DisclaimerRule,
  INPUT_DETECTORS,
  type InputDetectorName,
  OUTPUT_DETECTORS,
  type OutputDetectorName,
  type ReviewMode,
  type SafetyPolicy,
  type ToneRule,
} from "./policy.ts";

export interface ResolvedDetector {
  action: DetectorAction;
  threshold: number | undefined;
  /** undefined: every kind the detector reports. */
  kinds: ReadonlySet<string> | undefined;
  review: ReviewMode;
}

export interface ResolvedBrand extends ResolvedDetector {
  bannedTerms: readonly string[];
  tone: readonly ToneRule[];
  disclaimers: readonly DisclaimerRule[];
}

export interface ResolvedClaims {
  action: ClaimAction;
  threshold: number | undefined;
  knowledgeBase: string | undefined;
  disclaimer: string;
  review: ReviewMode;
}

export interface ResolvedSafetyPolicy {
  input: Record<InputDetectorName, ResolvedDetector>;
  output: Record<OutputDetectorName, ResolvedDetector> & { brand: ResolvedBrand; claims: ResolvedClaims };
  safeReply: string | undefined;
  review: { mode: ReviewMode; ttlMs: number; onExpiry: "release" | "reject" };
  /** False when every input detector is off: the input stage only restores nothing and passes through. */
  inputActive: boolean;
  outputActive: boolean;
}

export const DEFAULT_CLAIM_DISCLAIMER = "Note: these statements could not be verified against the provided sources:";

/**
 * The route's policy over the deployment's defaults over the built-in defaults, detector by
 * detector and field by field (a route that sets only `pii.action` keeps the default kinds).
 */
export function resolveSafetyPolicy(defaults: SafetyPolicy = {}, route: SafetyPolicy = {}): ResolvedSafetyPolicy {
  const builtIn: SafetyPolicy = DEFAULT_SAFETY_POLICY;
  const reviewMode = route.review?.mode ?? defaults.review?.mode ?? DEFAULT_SAFETY_POLICY.review.mode;
  const detector = (layers: (DetectorPolicy | undefined)[]): ResolvedDetector => {
    const merged: DetectorPolicy = Object.assign({}, ...layers.filter(Boolean));
    return {
      action: merged.action ?? "off",
      threshold: merged.threshold,
      kinds: merged.kinds === undefined ? undefined : new Set(merged.kinds),
      review: merged.review ?? reviewMode,
    };
  };
  const input = {} as Record<InputDetectorName, ResolvedDetector>;
  for (const name of INPUT_DETECTORS)
    input[name] = detector([builtIn.input?.[name], defaults.input?.[name], route.input?.[name]]);
  const output = {} as Record<OutputDetectorName, ResolvedDetector>;
  for (const name of OUTPUT_DETECTORS)
    output[name] = detector([builtIn.output?.[name], defaults.output?.[name], route.output?.[name]]);
  const brandLayers = [builtIn.output?.brand, defaults.output?.brand, route.output?.brand];
  const brandMerged: BrandPolicy = Object.assign({}, ...brandLayers.filter(Boolean));
  const brand: ResolvedBrand = {
    ...detector(brandLayers),
    bannedTerms: brandMerged.bannedTerms ?? [],
    tone: brandMerged.tone ?? [],
    disclaimers: brandMerged.disclaimers ?? [],
  };
  const claimMerged: ClaimPolicy = Object.assign(
    {},
    ...[builtIn.output?.claims, defaults.output?.claims, route.output?.claims].filter(Boolean),
  );
  const claims: ResolvedClaims = {
    action: claimMerged.action ?? "off",
    threshold: claimMerged.threshold,
    knowledgeBase: claimMerged.knowledgeBase,
    disclaimer: claimMerged.disclaimer ?? DEFAULT_CLAIM_DISCLAIMER,
    review: claimMerged.review ?? reviewMode,
  };
  const brandActive =
    brand.action !== "off" && (brand.bannedTerms.length > 0 || brand.tone.length > 0 || brand.disclaimers.length > 0);
  return {
    input,
    output: { ...output, brand, claims },
    safeReply: route.safeReply ?? defaults.safeReply,
    review: {
      mode: reviewMode,
      ttlMs:
        (route.review?.ttlSeconds ?? defaults.review?.ttlSeconds ?? DEFAULT_SAFETY_POLICY.review.ttlSeconds) * 1000,
      onExpiry: route.review?.onExpiry ?? defaults.review?.onExpiry ?? DEFAULT_SAFETY_POLICY.review.onExpiry,
    },
    inputActive: INPUT_DETECTORS.some((name) => input[name].action !== "off"),
    outputActive:
      OUTPUT_DETECTORS.some((name) => output[name].action !== "off") || brandActive || claims.action !== "off",
  };
}

/**
 * One resolved policy per route, computed once: routes are few, requests many. Unknown
 * routes get the defaults (core refuses unknown routes before the stages run anyway).
 */
export function createPolicyResolver(options: {
  defaults?: SafetyPolicy;
  routes?: Record<string, SafetyPolicy | undefined>;
}): (route: string) => ResolvedSafetyPolicy {
  const resolved = new Map<string, ResolvedSafetyPolicy>();
  return (route) => {
    let policy = resolved.get(route);
    if (policy === undefined) {
      const own = options.routes && Object.hasOwn(options.routes, route) ? options.routes[route] : undefined;
      policy = resolveSafetyPolicy(options.defaults, own);
      resolved.set(route, policy);
    }
    return policy;
  };
}
