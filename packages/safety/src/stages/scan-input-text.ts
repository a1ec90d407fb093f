import type { InputDetectorName } from "../policy/policy.ts";
import type { ResolvedDetector } from "../policy/resolve-policy.ts";
import { type ActedFinding, actOn } from "./acted-finding.ts";
import { mayHoldPii, mayHoldSecret } from "./prefilters.ts";
import { piiKindsOf, scanners } from "./scanners.ts";

/** Where a text of the request comes from; it decides which detectors read it. */
export type InputChannel = "system" | "user" | "assistant" | "tool" | "document";

/**
 * Personal data and credentials are looked for everywhere (a system prompt may carry the
 * user's profile, history carries what earlier answers restored); injection in user turns
 * and, on the document channel, in tool messages and documents; toxicity in user turns.
 * The deployer's system prompt and the model's own earlier turns are not judged for
 * injection or toxicity.
 */
const CHANNELS: Record<InputDetectorName, ReadonlySet<InputChannel>> = {
  secrets: new Set(["system", "user", "assistant", "tool", "document"]),
  pii: new Set(["system", "user", "assistant", "tool", "document"]),
  names: new Set(["system", "user", "assistant", "tool", "document"]),
  injection: new Set(["user"]),
  documentInjection: new Set(["tool", "document"]),
  toxicity: new Set(["user"]),
};

/** Every finding of one request text that the route's input policy acts on, sorted by position. */
export function scanInputText(
  text: string,
  options: { channel: InputChannel; policy: Record<InputDetectorName, ResolvedDetector> },
): ActedFinding[] {
  const { channel, policy } = options;
  if (text === "") return [];
  const runs = (name: InputDetectorName) => policy[name].action !== "off" && CHANNELS[name].has(channel);
  const found: ActedFinding[] = [];
  if (runs("secrets") && mayHoldSecret(text))
    found.push(...actOn(scanners.secrets().detect(text), { name: "secrets", settings: policy.secrets }));
  const names = runs("names");
  const pii = runs("pii") && (names || mayHoldPii(text, policy.pii.kinds));
  if (pii || names) {
    const kinds = piiKindsOf(pii ? policy.pii : undefined, names ? policy.names : undefined);
    for (const finding of scanners.pii(names, kinds).detect(text)) {
      // One merged pass; the tagger's findings answer to `names`, the rules' to `pii`.
      const name = finding.detector === "ner" ? "names" : "pii";
      if ((name === "names" ? names : pii) === false) continue;
      found.push(...actOn([finding], { name, settings: policy[name] }));
    }
  }
  if (runs("injection")) {
    const detector = scanners.injection("user", policy.injection.threshold);
    found.push(...actOn(detector.detect(text), { name: "injection", settings: policy.injection }));
  }
  if (runs("documentInjection")) {
    const detector = scanners.injection("document", policy.documentInjection.threshold);
    found.push(...actOn(detector.detect(text), { name: "documentInjection", settings: policy.documentInjection }));
  }
  if (runs("toxicity")) {
    const detector = scanners.toxicity(policy.toxicity.threshold);
    found.push(...actOn(detector.detect(text), { name: "toxicity", settings: policy.toxicity }));
  }
  return found.sort((left, right) => left.start - right.start || right.end - left.end);
}
