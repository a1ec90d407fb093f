import type { ChatRequest, Generation, RequestContext, SafetyClaim } from "@keel/spec";
import type { ClaimChecker, EmbedTexts } from "../claims/claim-checker.ts";
import type { ResolvedSafetyPolicy } from "../policy/resolve-policy.ts";
import { type ActedFinding, toSafetyFinding } from "./acted-finding.ts";
import { checkClaims, claimCheckerFor, claimDisclaimer } from "./check-claims.ts";
import type { GuardStop, OutputGuard } from "./output-guard.ts";
import { wordsOf } from "./phrase-matcher.ts";
import { brandTopics } from "./topic-cache.ts";

export interface SettledAnswer {
  /** The checked answer with redactions applied and disclaimers appended. */
  content: string;
  /** Text appended after the checked answer (disclaimers): a stream sends it as a last delta. */
  appended: string;
  findings: ActedFinding[];
  claims: SafetyClaim[] | undefined;
  stop: GuardStop | undefined;
  /** A review asked for in flag mode (the answer goes out). */
  reviewFlag: ActedFinding | undefined;
}

export interface ClaimSources {
  knowledgeBases: Readonly<Record<string, ClaimChecker>>;
  embed?: EmbedTexts;
}

/**
 * After the guard has seen the whole answer: the claim check against the request's
 * documents or the route's knowledge base, the brand disclaimers, and the findings
 * reported as events. Offsets are into `content`.
 */
export async function settleAnswer(options: {
  guard: OutputGuard;
  request: ChatRequest;
  ctx: RequestContext;
  policy: ResolvedSafetyPolicy;
  sources: ClaimSources;
}): Promise<SettledAnswer> {
  const { guard, request, ctx, policy, sources } = options;
  const findings = guard.findings();
  let stop = guard.stop;
  const checked = guard.content;
  let appended = "";
  let claims: SafetyClaim[] | undefined;
  const claimPolicy = policy.output.claims;
  if (stop?.action !== "block" && claimPolicy.action !== "off") {
    const checker = claimCheckerFor(request, { claims: claimPolicy, ...sources });
    if (checker !== undefined) {
      const outcome = await checkClaims(checked, { checker, request, claims: claimPolicy });
      claims = outcome.claims;
      findings.push(...outcome.findings);
      const blocking = outcome.findings.find((finding) => finding.action === "block");
      const holding = outcome.findings.find((finding) => finding.action === "review" && finding.review === "hold");
      if (blocking) stop = { action: "block", finding: blocking };
      else if (holding && stop === undefined) stop = { action: "hold", finding: holding };
      const disclaimed = outcome.findings.filter((finding) => finding.action === "disclaim");
      if (disclaimed.length > 0) appended += claimDisclaimer(checked, disclaimed, claimPolicy.disclaimer);
    }
  }
  const brand = policy.output.brand;
  if (brand.action !== "off" && brand.disclaimers.length > 0) {
    for (const rule of brandTopics(brand).disclaimersFor(wordsOf(checked))) {
      if (!checked.includes(rule.text)) appended += `\n\n${rule.text}`;
    }
  }
  for (const finding of findings) {
    ctx.events.emit({
      type: "safety-finding",
      stage: "output",
      detector: finding.policy,
      scanner: finding.detector,
      kind: finding.kind,
      action: finding.action,
    });
  }
  const reviewFlag = findings.find((finding) => finding.action === "review" && finding.review === "flag");
  return { content: checked + appended, appended, findings, claims, stop, reviewFlag };
}

/** The envelope's safety report with the output findings and claims added. */
export function outputSafety(generation: Generation, settled: SettledAnswer): Generation["safety"] {
  return {
    ...generation.safety,
    output: [
      ...generation.safety.output,
      ...settled.findings.map((finding) => toSafetyFinding(finding, { start: finding.start, end: finding.end })),
    ],
    ...(settled.claims === undefined ? {} : { claims: settled.claims }),
  };
}
