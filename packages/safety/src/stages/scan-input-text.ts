import type { InputDetectorName } from "../policy/policy.ts";
import type { ResolvedDetector } from "../policy/resolve-policy.ts";
import { type ActedFinding, actOn, mergeOverlapping } from "./acted-finding.ts";
import { mayHoldPii, mayHoldSecret } from "./prefilters.ts";
import { piiPassFor, scanners } from "./scanners.ts";

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
  // With the tagger running anyway, the rules still need a candidate: a text without one
  // (no digit or "@" for the default kinds) gets a names-only pass, and no rule runs on it.
  const pii = runs("pii") && mayHoldPii(text, policy.pii.kinds);
  if (pii || names) {
    for (const finding of piiPassFor(pii ? policy.pii : undefined, names ? policy.names : undefined).detect(text)) {
      // One merged pass; the tagger's findings answer to `names`, the rules' to `pii`.
      const name = finding.detector === "ner" ? "names" : "pii";
      if ((name === "names" ? names : pii) === false) continue;
      found.push(...actOn([finding], { name, settings: policy[name] }));
    }
  }
  const short = channel === "user" && fewerWordsThan(text, SHORT_TURN_WORDS);
  if (runs("injection")) {
    const detector = scanners.injection("user", policy.injection.threshold);
    const settings = shortTurnBar(policy.injection, short);
    found.push(...actOn(detector.detect(text), { name: "injection", settings }));
  }
  if (runs("documentInjection")) {
    const detector = scanners.injection("document", policy.documentInjection.threshold);
    found.push(...actOn(detector.detect(text), { name: "documentInjection", settings: policy.documentInjection }));
  }
  if (runs("toxicity")) {
    const detector = scanners.toxicity(policy.toxicity.threshold);
    found.push(...actOn(detector.detect(text), { name: "toxicity", settings: shortTurnBar(policy.toxicity, short) }));
  }
  return mergeOverlapping(found.sort((left, right) => left.start - right.start || right.end - left.end));
}

/**
 * The classifiers give a turn of a few words a score near their prior: "Hello" 0.43 for
 * injection (threshold 0.40), "Tell me a joke" 0.66 for toxicity (0.47). Below six words,
 * unless the route set its own threshold, a finding needs 0.85; phrase rules (0.9 and up)
 * and listed profanity (1) still pass it. On the toxicity dev split's turns of up to six
 * words this keeps 22 of 35 toxic rows and lets 1 of 30 clean ones through, against 33 and
 * 7 at the shipped threshold; no injection row of that length changes.
 */
const SHORT_TURN_WORDS = 6;
const SHORT_TURN_THRESHOLD = 0.85;

function shortTurnBar(settings: ResolvedDetector, short: boolean): ResolvedDetector {
  return short && settings.threshold === undefined ? { ...settings, threshold: SHORT_TURN_THRESHOLD } : settings;
}

function fewerWordsThan(text: string, limit: number): boolean {
  let words = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const space = text.charCodeAt(index) <= 0x20;
    if (!space && !inWord && ++words >= limit) return false;
    inWord = !space;
  }
  return true;
}
