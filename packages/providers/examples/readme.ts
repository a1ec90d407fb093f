import { createOpenAIProvider } from "@keel/providers";
import { startSimulator } from "@keel/simulator";
import { noopEventSink } from "@keel/spec";

// A local OpenAI-compatible server, so this runs anywhere. For OpenAI itself, leave out
// the simulator and the baseURL and pass your key.
const simulator = await startSimulator({ port: 0 });
const openai = createOpenAIProvider({ name: "openai", apiKey: "sk-...", baseURL: simulator.url });

const ctx = {
  requestId: "req-1",
  tenant: "default",
  operation: "generate" as const,
  deadline: Date.now() + 30_000,
  signal: AbortSignal.timeout(30_000),
  events: noopEventSink,
};

// request.model is the upstream's model name (core has already resolved routes).
const generation = await openai.generate(
  { model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }], temperature: 0 },
  ctx,
);
console.log(generation.content, generation.usage, generation.costUsd);

for await (const event of openai.stream(
  { model: "gpt-4o-mini", messages: [{ role: "user", content: "Count to 5" }] },
  { ...ctx, operation: "stream" },
)) {
  if (event.type === "delta") process.stdout.write(event.content);
  else if (event.type === "done") console.log("\n", event.generation.usage);
}

const { vectors } = await openai.embed(
  { model: "text-embedding-3-small", input: ["a", "b"] },
  { ...ctx, operation: "embed" },
);
console.log(vectors.length, "vectors of", vectors[0]?.length, "dimensions");
await simulator.close();
