/**
 * `pnpm bench:safety:ab`: CPU per request of the default policy's input and output stages,
 * this `src` against one or more copies of an earlier one, in one process. Rounds alternate
 * the versions (rotated order), each a batch of calls over the same requests; the figure is
 * the median (and quartiles) over rounds of this process's CPU time per call, so a shared
 * machine's drift falls on every version alike.
 *
 *   mkdir -p .ab/before && git archive <commit> src | tar -x -C .ab/before
 *   SAFETY_BASELINE=before=.ab/before/src pnpm bench:safety:ab
 *
 * Keep the copies inside this package (`.ab/` is ignored): a copy of the same code under /tmp,
 * with a `node_modules` link, measured 12-27 % slower than this one in the same process, which
 * would pass for a gain.
 *
 * Workloads (generate, not streamed): `short`, the bench's request (a user turn of eight
 * words, "Write one sentence about ... (N).") answered with the simulator's default answer
 * (6-48 vocabulary words); `1kb-prompts`, a 1 KB request (200-character system prompt,
 * 824-character user turn) of benign prompts answered with 1 KB of encyclopaedic prose;
 * `1kb-pii`, the same with the Presidio dev sentences; `stream`, the output stage alone on the
 * 1 KB prose answers streamed in 4-character deltas (the figure is CPU per delta).
 * Flags (environment): SAFETY_AB_ROUNDS (default 20), SAFETY_AB_CALLS (calls per round, default
 * 200), SAFETY_AB_WORKLOADS (comma list), SAFETY_AB_STAGES (comma list of both, input, output:
 * each stage alone as well as both; default both).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ChatRequest, Middleware, Model, RequestContext } from "@keel/spec";

interface Version {
  label: string;
  /** The two stages, then each alone. */
  models: Record<Stage, Model>;
}

type Stage = "both" | "input" | "output";

const rounds = Number(process.env.SAFETY_AB_ROUNDS ?? 20);
const calls = Number(process.env.SAFETY_AB_CALLS ?? 200);
const here = resolve(import.meta.dirname, "../src");
const sources = [
  { label: "current", source: here },
  ...(process.env.SAFETY_BASELINE ?? "")
    .split(",")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [label, source] = entry.includes("=") ? entry.split("=") : ["baseline", entry];
      return { label: label!, source: resolve(source!) };
    }),
];

function rows<T>(file: string): T[] {
  return readFileSync(resolve(import.meta.dirname, "../eval/data", file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

function textOf(corpus: readonly string[], offset: number, length: number): string {
  let text = "";
  for (let index = offset; text.length < length; index++) text += `${corpus[index % corpus.length]} `;
  return text.slice(0, length);
}

/** xorshift32, so every run builds the same requests. */
function seeded(seed: number): (size: number) => number {
  let state = seed;
  return (size) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % size;
  };
}

const BENCH_WORDS = (
  "harbour lantern granite tide beacon keeper storm fog signal coast reef cliff island shipwreck compass " +
  "chart voyage anchor sail mast rope timber oak maple river valley meadow orchard village market bakery " +
  "bread cheese honey garden rose tulip violet thunder lightning rain snow winter autumn summer spring " +
  "morning evening midnight candle library novel poem letter stamp bicycle railway station ticket engine"
).split(" ");
const ANSWER_WORDS = (
  "the model answer request keel simple clear result data system quickly carefully shows gives returns checks " +
  "every small large value service cache policy example question reply token stream safe fast this that with " +
  "from into about under over after before and but so then also here there again always often signal report " +
  "summary plan step detail number list test output helpful steady bright calm"
).split(" ");

/** The simulator's default answer, in its shape: 6 to 48 words in sentences of 4 to 10. */
function shortAnswer(pick: (size: number) => number): string {
  const count = 6 + pick(43);
  let text = "";
  let left = 0;
  for (let written = 0; written < count; written++) {
    const word = ANSWER_WORDS[pick(ANSWER_WORDS.length)]!;
    if (left === 0) {
      if (written > 0) text += ".";
      left = 4 + pick(7);
      text += `${written === 0 ? "" : " "}${word[0]!.toUpperCase()}${word.slice(1)}`;
    } else text += ` ${word}`;
    left--;
  }
  return `${text}.`;
}

interface Workload {
  name: string;
  requests: { request: ChatRequest; answer: string }[];
  /** Streamed in deltas of this many characters (the figure is then per delta). */
  chunk?: number;
}

const STREAM_CHUNK = 4;

function workloads(): Workload[] {
  const pick = seeded(0x2545f491);
  const prompts = rows<{ text: string; label: number }>("injection-train.jsonl")
    .filter((row) => row.label === 0)
    .map((row) => row.text);
  const pii = rows<{ text: string }>("pii-dev.jsonl").map((row) => row.text);
  const prose = [...new Set(rows<{ knowledge: string }>("claims-dev.jsonl").map((row) => row.knowledge))];
  const kilobyte = (corpus: readonly string[], index: number) => ({
    request: {
      model: "route",
      messages: [
        { role: "system" as const, content: textOf(corpus, index * 3, 200) },
        { role: "user" as const, content: textOf(corpus, index * 3 + 1, 824) },
      ],
    },
    answer: textOf(prose, index * 7 + 2, 1024),
  });
  const all: Workload[] = [
    {
      name: "short",
      requests: Array.from({ length: 256 }, (_, index) => ({
        request: {
          model: "route",
          messages: [
            {
              role: "user" as const,
              content: `Write one sentence about ${Array.from({ length: 8 }, () => BENCH_WORDS[pick(BENCH_WORDS.length)]).join(" ")} (${index + 1}).`,
            },
          ],
        },
        answer: shortAnswer(pick),
      })),
    },
    { name: "1kb-prompts", requests: Array.from({ length: 64 }, (_, index) => kilobyte(prompts, index)) },
    { name: "1kb-pii", requests: Array.from({ length: 64 }, (_, index) => kilobyte(pii, index)) },
    {
      name: "stream",
      requests: Array.from({ length: 64 }, (_, index) => kilobyte(prompts, index)),
      chunk: STREAM_CHUNK,
    },
  ];
  const wanted = process.env.SAFETY_AB_WORKLOADS?.split(",");
  return wanted === undefined ? all : all.filter((workload) => wanted.includes(workload.name));
}

const context = (): RequestContext => ({
  requestId: "bench",
  tenant: "bench",
  operation: "generate",
  deadline: Date.now() + 60_000,
  signal: new AbortController().signal,
  events: { emit() {} },
});

async function versionOf(label: string, source: string): Promise<Version> {
  const load = async <T>(path: string) => (await import(pathToFileURL(resolve(source, path)).href)) as T;
  const { createPolicyResolver } = await load<{ createPolicyResolver(options: object): unknown }>(
    "policy/resolve-policy.ts",
  );
  const { inputSafetyMiddleware } = await load<{ inputSafetyMiddleware(options: object): Middleware }>(
    "stages/input-middleware.ts",
  );
  const { outputSafetyMiddleware } = await load<{ outputSafetyMiddleware(options: object): Middleware }>(
    "stages/output-middleware.ts",
  );
  const { generationOf, wrap } = await load<typeof import("../src/test-support/stages.ts")>("test-support/stages.ts");
  const policyFor = createPolicyResolver({});
  const upstream: Model = {
    generate: async (request) => generationOf(currentAnswer, request),
    stream: async function* (request) {
      for (const delta of currentDeltas) yield { type: "delta", content: delta };
      yield { type: "done", generation: generationOf(currentAnswer, request) };
    },
  };
  const input = inputSafetyMiddleware({ policyFor });
  const output = outputSafetyMiddleware({ policyFor });
  return {
    label,
    models: { both: wrap(upstream, [input, output]), input: wrap(upstream, [input]), output: wrap(upstream, [output]) },
  };
}

// The stages hand the model a redacted copy of a request with personal data, so the answer travels beside it.
let currentAnswer = "";
let currentDeltas: string[] = [];
const deltasOf = new Map<string, string[]>();

function deltas(answer: string, size: number): string[] {
  let parts = deltasOf.get(answer);
  if (parts === undefined) {
    parts = [];
    for (let at = 0; at < answer.length; at += size) parts.push(answer.slice(at, at + size));
    deltasOf.set(answer, parts);
  }
  return parts;
}

/** Runs a batch; returns the units the figure is per (calls, or deltas for a stream). */
async function runCalls(model: Model, workload: Workload, batch: { count: number; offset: number }): Promise<number> {
  const { count, offset } = batch;
  let units = 0;
  for (let call = 0; call < count; call++) {
    const { request, answer } = workload.requests[(offset + call) % workload.requests.length]!;
    currentAnswer = answer;
    if (workload.chunk === undefined) {
      await model.generate(request, context());
      units++;
      continue;
    }
    currentDeltas = deltas(answer, workload.chunk);
    for await (const _event of model.stream(request, context()));
    units += currentDeltas.length;
  }
  return units;
}

const versions = await Promise.all(sources.map(({ label, source }) => versionOf(label, source)));
const stages = (process.env.SAFETY_AB_STAGES ?? "both").split(",") as Stage[];
const quartile = (sorted: readonly number[], at: number) => sorted[Math.floor((sorted.length - 1) * at)] ?? 0;
for (const workload of workloads()) {
  // A stream's figure is the output stage's per delta; the input stage's is the 1 KB request's.
  for (const stage of workload.chunk === undefined ? stages : (["output"] as const)) {
    for (const version of versions) await runCalls(version.models[stage], workload, { count: 300, offset: 0 });
    const samples = new Map<string, number[]>(versions.map((version) => [version.label, []]));
    const batch = workload.chunk === undefined ? calls : Math.max(1, Math.round(calls / 10));
    for (let round = 0; round < rounds; round++) {
      for (let offset = 0; offset < versions.length; offset++) {
        const version = versions[(round + offset) % versions.length]!;
        const before = process.cpuUsage();
        const units = await runCalls(version.models[stage], workload, { count: batch, offset: round * batch });
        const used = process.cpuUsage(before);
        samples.get(version.label)!.push((used.user + used.system) / units);
      }
    }
    const medianOf = (label: string) =>
      quartile(
        [...samples.get(label)!].sort((a, b) => a - b),
        0.5,
      );
    const unit = workload.chunk === undefined ? "request" : "delta";
    for (const version of versions) {
      const sorted = [...samples.get(version.label)!].sort((a, b) => a - b);
      const change =
        version === versions[0]
          ? ""
          : `  current is ${(((medianOf("current") - medianOf(version.label)) / medianOf(version.label)) * 100).toFixed(1)} %`;
      console.log(
        `${workload.name.padEnd(12)} ${stage.padEnd(6)} ${version.label.padEnd(10)} CPU ${quartile(sorted, 0.5).toFixed(2)} µs/${unit}` +
          ` (quartiles ${quartile(sorted, 0.25).toFixed(2)}-${quartile(sorted, 0.75).toFixed(2)}, ${rounds} rounds of ${batch})${change}`,
      );
    }
  }
}
