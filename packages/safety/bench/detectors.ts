/**
 * Microseconds per KB of each detector on 1, 10 and 100 KB of prompt-like English text
 * (median and p99 of wall time over repeated runs, after warm-up, and CPU time per KB over
 * the batch). One line per detector in DETECTORS.
 *
 *   pnpm --filter @keel/safety bench
 */
import { createInjectionDetector } from "../src/injection/injection-detector.ts";
import { createToxicityDetector } from "../src/toxicity/toxicity-detector.ts";

interface Benchmarked {
  name: string;
  detector: { detect(text: string): unknown };
}

const DETECTORS: Benchmarked[] = [
  { name: "injection (user)", detector: createInjectionDetector({ channel: "user" }) },
  { name: "injection (document)", detector: createInjectionDetector({ channel: "document" }) },
  { name: "toxicity", detector: createToxicityDetector() },
  { name: "injection (user) + toxicity", detector: bothOnOneTurn() },
];

/** What the input stage runs on a user turn: both detectors, which share the normalised text and its features. */
function bothOnOneTurn(): Benchmarked["detector"] {
  const injection = createInjectionDetector({ channel: "user" });
  const toxicity = createToxicityDetector();
  return { detect: (text) => [...injection.detect(text), ...toxicity.detect(text)] };
}

const SENTENCES = [
  "Please summarise the attached quarterly report and list the three biggest risks for the board.",
  "Can I ignore this warning in my TypeScript build, or will it break the release on Friday?",
  "The invoice from ACME Inc. for $2,099.00 was charged to the card ending 4605 on 3 March.",
  "Write a friendly reply to the customer explaining that the refund takes five working days.",
  "| Region | Sales | Growth |\n| North | 1,204 | 4.5% |\n| South | 998 | -1.2% |",
  "Our assistant Maria will handle the booking; the previous schedule no longer applies.",
];
const SIZES_KB = [1, 10, 100];

function textOf(kilobytes: number, variant: number): string {
  let text = `${variant} `;
  for (let index = variant; text.length < kilobytes * 1024; index++) text += `${SENTENCES[index % SENTENCES.length]} `;
  return text.slice(0, kilobytes * 1024);
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

const rows: string[] = ["| detector | size | median µs/KB | p99 µs/KB | CPU µs/KB |", "|---|---|---|---|---|"];
for (const { name, detector } of DETECTORS) {
  const warm = (text: string) => detector.detect(text);
  for (const kilobytes of SIZES_KB) {
    const runs = Math.max(20, Math.round(2000 / kilobytes));
    // Distinct texts, so the normaliser's one-entry memo never answers for the detector.
    const texts = Array.from({ length: runs }, (_, index) => textOf(kilobytes, index));
    // Warm-up on other texts of the same size, so the JIT has compiled the hot paths.
    for (let index = 0; index < runs / 2; index++) warm(textOf(kilobytes, runs + index));
    const cpuBefore = process.cpuUsage();
    const timings = texts.map((text) => {
      const started = process.hrtime.bigint();
      warm(text);
      return Number(process.hrtime.bigint() - started) / 1000 / kilobytes;
    });
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time over the whole batch: on a shared machine it leaves out time spent waiting for a core.
    const cpuPerKilobyte = (cpu.user + cpu.system) / (runs * kilobytes);
    timings.sort((left, right) => left - right);
    const median = percentile(timings, 0.5).toFixed(1);
    const p99 = percentile(timings, 0.99).toFixed(1);
    rows.push(`| ${name} | ${kilobytes} KB | ${median} | ${p99} | ${cpuPerKilobyte.toFixed(1)} |`);
  }
}
console.log(rows.join("\n"));
