/**
 * `pnpm bench:safety`: microseconds per KB of input for each detector at 1, 10 and 100 KB,
 * median and p99 over many calls after a warm-up. Inputs are the Presidio dev sentences
 * (names, addresses, cards, phones, plain chat) joined until the size is reached.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { Detector } from "../src/finding.ts";
import { createNerDetector } from "../src/ner/ner-detector.ts";
import { createPiiDetector } from "../src/pii/pii-detector.ts";
import { createStructuredDetectors } from "../src/pii/structured-detectors.ts";
import { createSecretsDetector } from "../src/secrets/secrets-detector.ts";

// One line per detector.
const detectors: readonly (() => Detector)[] = [
  ...createStructuredDetectors().map((detector) => () => detector),
  () => createNerDetector(),
  () => createSecretsDetector(),
  () => createPiiDetector(),
];

const sizesInKilobytes = [1, 10, 100];
const budgetMilliseconds = 400;

function sampleText(kilobytes: number): string {
  const sentences = readFileSync(new URL("../eval/data/pii-dev.jsonl", import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { text: string }).text);
  let text = "";
  for (let index = 0; text.length < kilobytes * 1024; index++) text += `${sentences[index % sentences.length]}\n`;
  return text.slice(0, kilobytes * 1024);
}

/**
 * Four texts that differ in their first character, used in turn: every call sees a new request,
 * as in production, so nothing remembered from the previous call (the shared number runs) helps.
 */
function variantsOf(text: string): string[] {
  return ["A", "B", "C", "D"].map((first) => first + text.slice(1));
}

function measure(detector: Detector, text: string): { median: number; p99: number; runs: number } {
  const kilobytes = text.length / 1024;
  const variants = variantsOf(text);
  const warmUpEnd = performance.now() + budgetMilliseconds / 4;
  for (let call = 0; performance.now() < warmUpEnd; call++) detector.detect(variants[call % 4] ?? text);
  const samples: number[] = [];
  const end = performance.now() + budgetMilliseconds;
  while (samples.length < 20 || (performance.now() < end && samples.length < 20000)) {
    const input = variants[samples.length % 4] ?? text;
    const started = performance.now();
    detector.detect(input);
    samples.push(((performance.now() - started) * 1000) / kilobytes);
  }
  samples.sort((left, right) => left - right);
  const at = (quantile: number): number =>
    samples[Math.min(samples.length - 1, Math.floor(samples.length * quantile))] ?? 0;
  return { median: at(0.5), p99: at(0.99), runs: samples.length };
}

const texts = sizesInKilobytes.map(sampleText);
const header = ["detector".padEnd(24), ...sizesInKilobytes.map((size) => `${size} KB median / p99`.padStart(24))].join(
  "",
);
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(" ");
console.log(
  `µs per KB (Node ${process.version}, ${cpus()[0]?.model ?? process.arch}, load average ${load})\n${header}`,
);
const summary: Record<string, Record<string, { median: number; p99: number }>> = {};
for (const create of detectors) {
  const detector = create();
  const cells: string[] = [];
  summary[detector.name] = {};
  for (const [index, text] of texts.entries()) {
    const { median, p99 } = measure(detector, text);
    cells.push(`${median.toFixed(1)} / ${p99.toFixed(1)}`.padStart(24));
    const entry = summary[detector.name];
    if (entry)
      entry[`${sizesInKilobytes[index]}KB`] = { median: Number(median.toFixed(2)), p99: Number(p99.toFixed(2)) };
  }
  console.log(`${detector.name.padEnd(24)}${cells.join("")}`);
}
console.log(JSON.stringify(summary));
