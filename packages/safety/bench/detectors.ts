/**
 * `pnpm bench:safety`: microseconds per KB of input for each detector at 1, 10 and 100 KB,
 * median and p99 over many calls after a warm-up. Inputs are the Presidio dev sentences
 * (names, addresses, cards, phones, plain chat) joined until the size is reached.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { Detector } from "../src/finding.ts";
import { createInjectionDetector } from "../src/injection/injection-detector.ts";
import { createNerDetector } from "../src/ner/ner-detector.ts";
import { createPiiDetector } from "../src/pii/pii-detector.ts";
import { createStructuredDetectors } from "../src/pii/structured-detectors.ts";
import { createSecretsDetector } from "../src/secrets/secrets-detector.ts";
import { createToxicityDetector } from "../src/toxicity/toxicity-detector.ts";

// One line per detector.
const detectors: readonly (() => Detector)[] = [
  ...createStructuredDetectors().map((detector) => () => detector),
  () => createNerDetector(),
  () => createSecretsDetector(),
  () => createPiiDetector(),
  () => named("injection (user)", createInjectionDetector({ channel: "user" })),
  () => named("injection (document)", createInjectionDetector({ channel: "document" })),
  () => createToxicityDetector(),
];

/** The same detector under a name that says which configuration ran. */
function named(name: string, detector: Detector): Detector {
  return { name, version: detector.version, detect: (text) => detector.detect(text) };
}

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

interface Timing {
  median: number;
  p99: number;
}

/**
 * Per call, both the wall time and the process's CPU time, in µs per KB. On a shared machine
 * the wall time includes the time other processes held the core; the CPU time does not, so it
 * is the figure to compare between runs.
 */
function measure(detector: Detector, text: string): { wall: Timing; cpu: Timing } {
  const kilobytes = text.length / 1024;
  const variants = variantsOf(text);
  const warmUpEnd = performance.now() + budgetMilliseconds / 4;
  for (let call = 0; performance.now() < warmUpEnd; call++) detector.detect(variants[call % 4] ?? text);
  const wall: number[] = [];
  const cpu: number[] = [];
  const end = performance.now() + budgetMilliseconds;
  while (wall.length < 20 || (performance.now() < end && wall.length < 20000)) {
    const input = variants[wall.length % 4] ?? text;
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    detector.detect(input);
    wall.push(((performance.now() - started) * 1000) / kilobytes);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / kilobytes);
  }
  return { wall: summarise(wall), cpu: summarise(cpu) };
}

function summarise(samples: number[]): Timing {
  samples.sort((left, right) => left - right);
  const at = (quantile: number): number =>
    samples[Math.min(samples.length - 1, Math.floor(samples.length * quantile))] ?? 0;
  return { median: at(0.5), p99: at(0.99) };
}

const texts = sizesInKilobytes.map(sampleText);
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(" ");
const header = ["detector".padEnd(24), ...sizesInKilobytes.map((size) => `${size} KB median / p99`.padStart(24))].join(
  "",
);
console.log(
  `µs per KB, CPU time [wall median] (Node ${process.version}, ${cpus()[0]?.model ?? process.arch}, load average ${load})`,
);
console.log(header);
const summary: Record<string, Record<string, { cpu: Timing; wall: Timing }>> = {};
for (const create of detectors) {
  const detector = create();
  const cells: string[] = [];
  const entry: Record<string, { cpu: Timing; wall: Timing }> = {};
  for (const [index, text] of texts.entries()) {
    const { cpu, wall } = measure(detector, text);
    cells.push(`${cpu.median.toFixed(1)} / ${cpu.p99.toFixed(1)} [${wall.median.toFixed(0)}]`.padStart(24));
    const round = (timing: Timing): Timing => ({
      median: Number(timing.median.toFixed(2)),
      p99: Number(timing.p99.toFixed(2)),
    });
    entry[`${sizesInKilobytes[index]}KB`] = { cpu: round(cpu), wall: round(wall) };
  }
  summary[detector.name] = entry;
  console.log(`${detector.name.padEnd(24)}${cells.join("")}`);
}
console.log(JSON.stringify(summary));
