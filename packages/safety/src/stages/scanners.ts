import type { Detector } from "../finding.ts";
import {
  createInjectionDetector,
  type InjectionChannel,
  type InjectionDetector,
} from "../injection/injection-detector.ts";
import { createPiiDetector } from "../pii/pii-detector.ts";
import { createSecretsDetector } from "../secrets/secrets-detector.ts";
import type { ResolvedSafetyPolicy } from "../policy/resolve-policy.ts";
import { createToxicityDetector, type ToxicityDetector } from "../toxicity/toxicity-detector.ts";

/**
 * The detectors the stages run, built once per process and per threshold: detectors are
 * stateless between calls, and the NER and classifier weights are loaded once anyway.
 */
const built = new Map<string, Detector>();

function once<T extends Detector>(key: string, build: () => T): T {
  let detector = built.get(key);
  if (detector === undefined) {
    detector = build();
    built.set(key, detector);
  }
  return detector as T;
}

/** The kinds one merged PII pass must report for a stage's `pii` and `names` entries (undefined: all). */
export function piiKindsOf(
  pii: { kinds: ReadonlySet<string> | undefined } | undefined,
  names: { kinds: ReadonlySet<string> | undefined } | undefined,
): string[] | undefined {
  if ((pii !== undefined && pii.kinds === undefined) || (names !== undefined && names.kinds === undefined))
    return undefined;
  return [...new Set([...(pii?.kinds ?? []), ...(names?.kinds ?? [])])].sort();
}

type KindsHolder = { kinds: ReadonlySet<string> | undefined };
const NONE: KindsHolder = { kinds: undefined };
const passes = new WeakMap<KindsHolder, WeakMap<KindsHolder, Detector>>();

/**
 * The merged PII pass for a stage's `pii` and `names` entries (undefined: that entry does not
 * run), remembered per pair of resolved entries: a route's policy is resolved once, so a text
 * costs two WeakMap reads instead of building, sorting and joining its kind list each time.
 */
export function piiPassFor(pii: KindsHolder | undefined, names: KindsHolder | undefined): Detector {
  let byNames = passes.get(pii ?? NONE);
  if (byNames === undefined) {
    byNames = new WeakMap();
    passes.set(pii ?? NONE, byNames);
  }
  let pass = byNames.get(names ?? NONE);
  if (pass === undefined) {
    pass = scanners.pii(names !== undefined, piiKindsOf(pii, names));
    byNames.set(names ?? NONE, pass);
  }
  return pass;
}

export const scanners = {
  secrets: (): Detector => once("secrets", () => createSecretsDetector()),
  /**
   * Structured PII, with the name-and-place tagger when `names` is true (one merged pass),
   * running only the rules that can report one of `kinds` (undefined: every kind).
   */
  pii: (names: boolean, kinds: readonly string[] | undefined): Detector =>
    once(`pii:${names}:${kinds?.join(",") ?? "*"}`, () =>
      createPiiDetector(kinds === undefined ? { ner: names } : { ner: names, kinds }),
    ),
  injection: (channel: InjectionChannel, threshold: number | undefined): InjectionDetector =>
    once(`injection:${channel}:${threshold ?? ""}`, () =>
      createInjectionDetector(threshold === undefined ? { channel } : { channel, threshold }),
    ),
  toxicity: (threshold: number | undefined): ToxicityDetector =>
    once(`toxicity:${threshold ?? ""}`, () => createToxicityDetector(threshold === undefined ? {} : { threshold })),
};

/**
 * Builds every detector a policy will run, so their weights are read at start instead of
 * during the first request (about 150 ms on the project machine). Returns them, so a host
 * can also run each once at start (regexes compile and code warms on first use).
 */
export function warmUpScanners(policy: ResolvedSafetyPolicy): Detector[] {
  const { input, output } = policy;
  const detectors: Detector[] = [];
  if (input.secrets.action !== "off" || output.secrets.action !== "off") detectors.push(scanners.secrets());
  for (const stage of [input, output]) {
    const names = stage.names.action !== "off";
    const pii = stage.pii.action !== "off";
    if (pii || names)
      detectors.push(scanners.pii(names, piiKindsOf(pii ? stage.pii : undefined, names ? stage.names : undefined)));
  }
  if (input.injection.action !== "off") detectors.push(scanners.injection("user", input.injection.threshold));
  if (input.documentInjection.action !== "off")
    detectors.push(scanners.injection("document", input.documentInjection.threshold));
  if (input.toxicity.action !== "off") detectors.push(scanners.toxicity(input.toxicity.threshold));
  if (output.toxicity.action !== "off") detectors.push(scanners.toxicity(output.toxicity.threshold));
  return [...new Set(detectors)];
}
