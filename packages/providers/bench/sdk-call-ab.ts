/**
 * CPU per non-streamed call of the openai SDK alone, for SDK option sets side by side in one
 * process: each variant is an OpenAI client over a fetch that answers at once with a fixed
 * chat completion (a BufferedResponse, as Keel's fetch returns), so what is measured is the
 * SDK's own per-call work (options, headers, URL, its AbortController and timer, parsing).
 * Rounds alternate the variants (rotated order); each figure is the median over rounds, and
 * each variant's change against the first is the median of the rounds' own ratios.
 *
 *   node --import tsx packages/providers/bench/sdk-call-ab.ts
 */
import OpenAI from "openai";
import { BufferedResponse } from "../src/buffered-response.ts";
import { callCancellation } from "../src/call-signal.ts";
import { createKeelOpenAI, type KeelOpenAIOptions } from "../src/keel-openai.ts";
import { sdkClientOptions } from "../src/sdk-client-options.ts";

const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 20);
const calls = Number(process.env.BENCH_AB_CALLS ?? 2_000);

const answer = new TextEncoder().encode(
  JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content: "A short answer." }, finish_reason: "stop" }],
    usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
  }),
);
const answerHeaders: [string, string][] = [
  ["content-type", "application/json"],
  ["content-length", String(answer.length)],
  ["x-request-id", "req_1"],
  ["connection", "keep-alive"],
];

/** Reads the request headers as Keel's fetch does, then answers. */
const stubFetch: typeof fetch = async (_input, init) => {
  const outgoing: Record<string, string> = {};
  for (const [name, value] of (init?.headers ?? []) as Headers) outgoing[name] = value;
  return new BufferedResponse(answer.slice(), { status: 200, statusText: "OK", headers: answerHeaders });
};

const keelOptions: KeelOpenAIOptions = sdkClientOptions({
  apiKey: "bench",
  baseURL: "http://127.0.0.1:1/v1",
  fetch: stubFetch,
});
const stainlessNulls = Object.fromEntries(
  ["lang", "package-version", "os", "arch", "runtime", "runtime-version", "retry-count", "timeout"].map((name) => [
    `x-stainless-${name}`,
    null,
  ]),
);

const variants: { label: string; client: OpenAI; samples: number[] }[] = [
  { label: "provider before (plain OpenAI)", client: new OpenAI(keelOptions), samples: [] },
  { label: "the same again (A/A control)", client: new OpenAI(keelOptions), samples: [] },
  { label: "logLevel warn (SDK default)", client: new OpenAI({ ...keelOptions, logLevel: "warn" }), samples: [] },
  { label: "maxRetries 2 (SDK default)", client: new OpenAI({ ...keelOptions, maxRetries: 2 }), samples: [] },
  { label: "timeout 10 min (SDK default)", client: new OpenAI({ ...keelOptions, timeout: 600_000 }), samples: [] },
  {
    label: "defaultHeaders: x-stainless-* null",
    client: new OpenAI({ ...keelOptions, defaultHeaders: stainlessNulls }),
    samples: [],
  },
  { label: "createKeelOpenAI (after)", client: createKeelOpenAI(keelOptions), samples: [] },
];

const body = {
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Write one sentence about rivers and hills number 12" }],
  temperature: 0,
};
// Each call as the provider makes it: the call's signal rides to Keel's fetch in fetchOptions.
const callerSignal = new AbortController().signal;
const run = async (client: OpenAI, count: number) => {
  for (let index = 0; index < count; index++) {
    await client.chat.completions.create(body, callCancellation(callerSignal, true).options);
  }
};

for (const variant of variants) await run(variant.client, 5_000);
for (let round = 0; round < rounds; round++) {
  for (let offset = 0; offset < variants.length; offset++) {
    const variant = variants[(round + offset) % variants.length] as (typeof variants)[number];
    const before = process.cpuUsage();
    await run(variant.client, calls);
    const used = process.cpuUsage(before);
    variant.samples.push((used.user + used.system) / calls);
  }
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const first = variants[0] as (typeof variants)[number];
for (const variant of variants) {
  const ratios = variant.samples.map((value, round) => (value / (first.samples[round] ?? value) - 1) * 100);
  console.log(
    `${variant.label.padEnd(36)} ${median(variant.samples).toFixed(1).padStart(6)} µs/call` +
      (variant === first ? "" : `  ${median(ratios) >= 0 ? "+" : ""}${median(ratios).toFixed(1)} % (paired)`),
  );
}
console.log(`${rounds} rounds of ${calls} calls per variant, node ${process.version}`);
