import type { ChatRequest, SafetyClaim } from "@keel/spec";
import { type ClaimChecker, createClaimChecker, type EmbedTexts } from "../claims/claim-checker.ts";
import type { ResolvedClaims } from "../policy/resolve-policy.ts";
import type { ActedFinding } from "./acted-finding.ts";

export interface ClaimsOutcome {
  claims: SafetyClaim[];
  /** One UNSUPPORTED_CLAIM finding per unsupported claim, with the route's action. */
  findings: ActedFinding[];
}

/**
 * The knowledge a request's claims are checked against: its documents when it has any,
 * else the route's knowledge base; none means no check.
 */
export function claimCheckerFor(
  request: ChatRequest,
  options: { claims: ResolvedClaims; knowledgeBases: Readonly<Record<string, ClaimChecker>>; embed?: EmbedTexts },
): ClaimChecker | undefined {
  const documents = request.documents ?? [];
  if (documents.length > 0) {
    return createClaimChecker({
      passages: documents.map((document, index) => ({ id: document.id ?? `document#${index}`, text: document.text })),
      ...(options.embed === undefined ? {} : { embed: options.embed }),
    });
  }
  const name = options.claims.knowledgeBase;
  return name !== undefined && Object.hasOwn(options.knowledgeBases, name) ? options.knowledgeBases[name] : undefined;
}

/** Splits the answer into claims and scores each against the knowledge; offsets into `answer`. */
export async function checkClaims(
  answer: string,
  options: { checker: ClaimChecker; request: ChatRequest; claims: ResolvedClaims },
): Promise<ClaimsOutcome> {
  const { checker, request, claims: policy } = options;
  const question = [...request.messages].reverse().find((message) => message.role === "user")?.content;
  const check = await checker.check(answer, question === undefined ? {} : { question });
  const threshold = policy.threshold ?? checker.threshold;
  const claims: SafetyClaim[] = [];
  const findings: ActedFinding[] = [];
  for (const verdict of check.claims) {
    const supported = verdict.support >= threshold;
    claims.push({
      start: verdict.start,
      end: verdict.end,
      score: verdict.support,
      supported,
      ...(verdict.passageId === undefined ? {} : { passageId: verdict.passageId }),
    });
    if (supported || policy.action === "off") continue;
    findings.push({
      kind: "UNSUPPORTED_CLAIM",
      start: verdict.start,
      end: verdict.end,
      score: Math.round((1 - verdict.support) * 1000) / 1000,
      detector: "claims",
      policy: "claims",
      action: policy.action,
      review: policy.review,
    });
  }
  return { claims, findings };
}

/** The disclaimer naming the unsupported statements, appended after a blank line. */
export function claimDisclaimer(answer: string, findings: readonly ActedFinding[], lead: string): string {
  const quoted = findings.map((finding) => `"${answer.slice(finding.start, finding.end)}"`).join("; ");
  return `\n\n${lead} ${quoted}`;
}
