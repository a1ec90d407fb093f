/**
 * `pnpm bench:safety:pipeline`: what the safety stages add to a request with the default
 * policy, measured at the middleware level (no HTTP, no provider):
 *
 * 1. The input stage on 1 KB requests (a 200-character system prompt and an 824-character
 *    user turn), of two kinds: PII-heavy (the Presidio dev sentences: every one has names,
 *    addresses, cards or phones) and plain prompts (the benign user prompts of the
 *    injection training split): wall and CPU time per call.
 * 2. Streams at a fixed arrival rate (default 500 req/s, open loop, for 4 s) through the
 *    input and output stages, answers of about 1 KB of encyclopaedic prose (the knowledge
 *    passages of the claims dev split) cut into token-sized deltas arriving
 *    back to back, so the figures are the stages' own cost: the added time to first token
 *    (upstream's first delta to the caller's first delta) and the per-chunk delay (an
 *    upstream delta to the caller delta it released). The output guard also holds back the
 *    last, possibly incomplete, token: with real token gaps the first word waits for the
 *    next token to begin; the table counts how many upstream deltas that is.
 *
 * Flags: --rate 500 --seconds 4 --gap-ms 0 (time between an answer's deltas).
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { ChatRequest, Generation, Middleware, Model, RequestContext, StreamEvent } from "@keel/spec";
import { createPolicyResolver } from "../src/policy/resolve-policy.ts";
import { inputSafetyMiddleware } from "../src/stages/input-middleware.ts";
import { outputSafetyMiddleware } from "../src/stages/output-middleware.ts";
import { generationOf, wrap } from "../src/test-support/stages.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "4" },
    "gap-ms": { type: "string", default: "0" },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const gapMs = Number(values["gap-ms"]);

function rows<T>(file: string): T[] {
  return readFileSync(new URL(`../eval/data/${file}`, import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

const corpora = {
  pii: rows<{ text: string }>("pii-dev.jsonl").map((row) => row.text),
  prompts: rows<{ text: string; label: number }>("injection-train.jsonl")
    .filter((row) => row.label === 0)
    .map((row) => row.text),
  prose: [...new Set(rows<{ knowledge: string }>("claims-dev.jsonl").map((row) => row.knowledge))],
};

function textOf(corpus: readonly string[], offset: number, length: number): string {
  let text = "";
  for (let index = offset; text.length < length; index++) text += `${corpus[index % corpus.length]} `;
  return text.slice(0, length);
}

const policyFor = createPolicyResolver({});
const stages: Middleware[] = [inputSafetyMiddleware({ policyFor }), outputSafetyMiddleware({ policyFor })];
const context = (): RequestContext => ({
  requestId: "bench",
  tenant: "bench",
  operation: "stream",
  deadline: Date.now() + 60_000,
  signal: new AbortController().signal,
  events: { emit() {} },
});

function quantiles(samples: number[]): { median: number; p99: number; max: number } {
  samples.sort((left, right) => left - right);
  const at = (quantile: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * quantile))] ?? 0;
  return { median: at(0.5), p99: at(0.99), max: samples.at(-1) ?? 0 };
}

const format = (milliseconds: number) => `${milliseconds.toFixed(3)} ms`;

// ---------------------------------------------------------------- 1. the input stage on 1 KB

async function inputStage(corpus: readonly string[], name: string): Promise<Record<string, unknown>> {
  const requests: ChatRequest[] = Array.from({ length: 64 }, (_, index) => ({
    model: "route",
    messages: [
      { role: "system", content: textOf(corpus, index * 3, 200) },
      { role: "user", content: textOf(corpus, index * 3 + 1, 824) },
    ],
  }));
  const answer = generationOf("ok", requests[0]!);
  const model: Model = {
    generate: async () => answer,
    stream: async function* () {},
  };
  const input = wrap(model, [stages[0]!]);
  const run = async (count: number) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let call = 0; call < count; call++) {
      const request = requests[call % requests.length]!;
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      await input.generate(request, context());
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuStarted);
      cpu.push((used.user + used.system) / 1000);
    }
    return { wall: quantiles(wall), cpu: quantiles(cpu) };
  };
  await run(500);
  const measured = await run(4000);
  console.log(`input stage, 1 KB request (system 200 + user 824 characters, ${name}), default policy`);
  console.log(`  wall  median ${format(measured.wall.median)}  p99 ${format(measured.wall.p99)}`);
  console.log(`  CPU   median ${format(measured.cpu.median)}  p99 ${format(measured.cpu.p99)}`);
  return measured;
}

// ---------------------------------------------------------------- 2. streams at a fixed rate

/** Token-sized deltas: a leading space and up to five more characters, as tokenizers cut English. */
function deltasOf(text: string): string[] {
  return text.match(/\s*\S{1,5}/g) ?? [text];
}

interface StreamTiming {
  firstUpstream: number;
  firstCaller: number | undefined;
  heldChunks: number;
}

async function streams(guarded: boolean): Promise<{ ttft: number[]; chunk: number[]; held: number[]; deltas: number }> {
  const answers = Array.from({ length: 64 }, (_, index) => deltasOf(textOf(corpora.prose, index * 7 + 2, 1024)));
  const ttft: number[] = [];
  const chunk: number[] = [];
  const held: number[] = [];
  let deltas = 0;
  const run = async (index: number) => {
    const parts = answers[index % answers.length]!;
    const timing: StreamTiming = { firstUpstream: 0, firstCaller: undefined, heldChunks: 0 };
    let lastUpstream = 0;
    const upstream: Model = {
      generate: async () => generationOf(parts.join(""), { model: "route", messages: [] }),
      async *stream(request) {
        for (const [position, content] of parts.entries()) {
          if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
          lastUpstream = performance.now();
          if (position === 0) timing.firstUpstream = lastUpstream;
          if (timing.firstCaller === undefined) timing.heldChunks += 1;
          yield { type: "delta", content } satisfies StreamEvent;
        }
        const generation: Generation = generationOf(parts.join(""), request);
        yield { type: "done", generation };
      },
    };
    const model = guarded ? wrap(upstream, stages) : upstream;
    const request: ChatRequest = {
      model: "route",
      messages: [{ role: "user", content: textOf(corpora.prompts, index, 300) }],
    };
    for await (const event of model.stream(request, context())) {
      if (event.type !== "delta") continue;
      const now = performance.now();
      deltas += 1;
      if (timing.firstCaller === undefined) {
        timing.firstCaller = now;
        held.push(timing.heldChunks);
      }
      chunk.push(now - lastUpstream);
    }
    ttft.push((timing.firstCaller ?? performance.now()) - timing.firstUpstream);
  };
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let index = 0; index < total; index++) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    running.push(run(index));
  }
  await Promise.all(running);
  return { ttft, chunk, held, deltas };
}

/** ns per addition of a typed-array loop: about 0.3-0.5 on an idle core of this kind; more means a busy machine. */
function referenceLoop(): number {
  const values = new Float64Array(1 << 20);
  let sum = 0;
  const started = performance.now();
  for (let round = 0; round < 20; round++)
    for (let index = 0; index < values.length; index++) sum += values[index]! + index;
  return ((performance.now() - started) * 1e6) / (20 * values.length) + (sum < 0 ? 1 : 0);
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? process.arch} x ${cpus().length}, load average ${load()}, ` +
    `reference loop ${referenceLoop().toFixed(2)} ns per add`,
);
const input = {
  pii: await inputStage(corpora.pii, "PII-heavy"),
  prompts: await inputStage(corpora.prompts, "plain prompts"),
};
await streams(true); // warm-up
const cpuBefore = process.cpuUsage();
const plain = await streams(false);
const plainCpu = process.cpuUsage(cpuBefore);
const guardedBefore = process.cpuUsage();
const guarded = await streams(true);
const guardedCpu = process.cpuUsage(guardedBefore);
const summary = {
  ttftPlain: quantiles(plain.ttft),
  ttftGuarded: quantiles(guarded.ttft),
  chunkPlain: quantiles(plain.chunk),
  chunkGuarded: quantiles(guarded.chunk),
  heldChunks: quantiles(guarded.held),
  cpuMsPerStream: {
    plain: (plainCpu.user + plainCpu.system) / 1000 / plain.ttft.length,
    guarded: (guardedCpu.user + guardedCpu.system) / 1000 / guarded.ttft.length,
  },
};
console.log(`\nstreams: ${rate} req/s for ${seconds} s, ~1 KB answers, ${gapMs} ms between deltas, default policy`);
console.log("  time to first delta after upstream's first delta (the stages' added TTFT):");
console.log(`    without stages  median ${format(summary.ttftPlain.median)}  p99 ${format(summary.ttftPlain.p99)}`);
console.log(`    with stages     median ${format(summary.ttftGuarded.median)}  p99 ${format(summary.ttftGuarded.p99)}`);
console.log("  per-chunk delay (upstream delta to the caller delta it released):");
console.log(`    without stages  median ${format(summary.chunkPlain.median)}  p99 ${format(summary.chunkPlain.p99)}`);
console.log(
  `    with stages     median ${format(summary.chunkGuarded.median)}  p99 ${format(summary.chunkGuarded.p99)}`,
);
console.log(
  `  upstream deltas before the first release: median ${summary.heldChunks.median}, p99 ${summary.heldChunks.p99}`,
);
console.log(
  `  CPU per stream: ${summary.cpuMsPerStream.plain.toFixed(3)} ms without, ${summary.cpuMsPerStream.guarded.toFixed(3)} ms with`,
);
console.log(`load average after: ${load()}`);
console.log(JSON.stringify({ input, streams: summary }));
