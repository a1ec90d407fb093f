/**
 * `tsx scripts/dump-findings.ts [src folder] > findings.jsonl`: every detector's output, and
 * the stages' acted findings with the default policy, on every eval, training and naughty
 * string (plus profanity variants), one JSON line per text. A speed change must leave this
 * file byte for byte the same: dump with a copy of the previous commit's `src` (inside this
 * package, so its imports resolve: `mkdir -p .ab/before && git archive <commit> src | tar -x -C
 * .ab/before`, then `tsx scripts/dump-findings.ts .ab/before/src`) and with this one, then `cmp`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const source = resolve(process.argv[2] ?? resolve(import.meta.dirname, "../src"));
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(resolve(source, path)).href)) as T;

type Detect = { detect(text: string): unknown[]; score?(text: string): number };
const { normaliseText } = await load<{ normaliseText(text: string): { text: string } }>("text/normalise-text.ts");
const { originalSpan } = await load<{ originalSpan(mapped: unknown, span: object): object }>("text/mapped-text.ts");
const { scanners } = await load<{
  scanners: {
    secrets(): Detect;
    pii(names: boolean, kinds: readonly string[] | undefined): Detect;
    injection(channel: string, threshold: number | undefined): Detect;
    toxicity(threshold: number | undefined): Detect;
  };
}>("stages/scanners.ts");
const { createNerDetector } = await load<{ createNerDetector(): Detect }>("ner/ner-detector.ts");
const { profanityFindings, PROFANE_WORDS } = await load<{
  profanityFindings(text: string): unknown[];
  PROFANE_WORDS: string[];
}>("toxicity/profanity-layer.ts");
const { scanInputText } = await load<{ scanInputText(text: string, options: object): unknown[] }>(
  "stages/scan-input-text.ts",
);
const { createOutputGuard } = await load<{
  createOutputGuard(options: object): {
    push(delta: string): string;
    end(): string;
    content: string;
    findings(): unknown[];
    stop: unknown;
  };
}>("stages/output-guard.ts");
const { resolveSafetyPolicy } = await load<{ resolveSafetyPolicy(defaults: object, route: object): { input: object } }>(
  "policy/resolve-policy.ts",
);
const { DEFAULT_SAFETY_POLICY } = await load<{ DEFAULT_SAFETY_POLICY: object }>("policy/policy.ts");

const data = resolve(import.meta.dirname, "../eval/data");
const texts: string[] = [];
for (const file of readdirSync(data)
  .filter((name) => name.endsWith(".jsonl"))
  .sort()) {
  for (const line of readFileSync(resolve(data, file), "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    for (const field of ["text", "knowledge", "question", "answer"])
      if (typeof row[field] === "string") texts.push(row[field] as string);
  }
}
texts.push(
  ...(JSON.parse(readFileSync(resolve(import.meta.dirname, "../src/test-data/blns.json"), "utf8")) as string[]),
);
// Each listed word bare, repeated, in leetspeak, glued to other words and at a window's edge.
for (const word of PROFANE_WORDS) {
  const leet = word.replace(/a/g, "@").replace(/i/g, "1").replace(/s/g, "$").replace(/o/g, "0").replace(/e/g, "3");
  const doubled = word.replace(/(.)/g, "$1$1");
  texts.push(
    word,
    `You ${word}!`,
    `what a ${leet} thing to say`,
    `${doubled} and ${word.toUpperCase()}s`,
    `pre${word}post ${word}ing un${word}`,
    `${"x".repeat(40)} ${word} ${"y ".repeat(30)}${word.split("").join(" ")}`,
  );
}

const policy = resolveSafetyPolicy(DEFAULT_SAFETY_POLICY as never, {}) as { input: object };
const ner = createNerDetector();
const channels = ["system", "user", "assistant", "tool", "document"];
for (const text of texts) {
  const normalised = normaliseText(text);
  const row: Record<string, unknown> = {
    normalised: normalised.text,
    whole: originalSpan(normalised, { start: 0, end: normalised.text.length }),
    secrets: scanners.secrets().detect(text),
    pii: scanners.pii(false, undefined).detect(text),
    piiNames: scanners.pii(true, undefined).detect(text),
    ner: ner.detect(text),
    injectionUser: scanners.injection("user", undefined).detect(text),
    injectionUserScore: scanners.injection("user", undefined).score?.(text),
    injectionDocument: scanners.injection("document", undefined).detect(text),
    injectionDocumentScore: scanners.injection("document", undefined).score?.(text),
    toxicity: scanners.toxicity(undefined).detect(text),
    toxicityScore: scanners.toxicity(undefined).score?.(text),
    toxicityOutput: scanners.toxicity(0.8).detect(text),
    profanity: profanityFindings(text),
    stages: channels.map((channel) => scanInputText(text, { channel, policy: policy.input })),
    output: [1_000_000, 3].map((size) => {
      const guard = createOutputGuard({ policy, vault: undefined });
      const released: string[] = [];
      for (let at = 0; at < text.length; at += size) released.push(guard.push(text.slice(at, at + size)));
      released.push(guard.end());
      return { released, content: guard.content, findings: guard.findings(), stop: guard.stop };
    }),
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
console.error(`${texts.length} texts`);
