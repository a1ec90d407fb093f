import { createPipeline, parseConfig } from "@keel/core";
import { startSimulator } from "@keel/simulator";

// A local OpenAI-compatible server, so this runs anywhere. For OpenAI itself, leave out
// the simulator and the baseURL and pass your key.
const simulator = await startSimulator({ port: 0 });
const pipeline = createPipeline(
  parseConfig({
    providers: { openai: { apiKey: "sk-...", baseURL: simulator.url } },
    models: {
      "gpt-4o-mini": { targets: ["openai/gpt-4o-mini", "openai/gpt-4.1-mini"], staticFallback: "Please try again." },
    },
    telemetry: { log: { level: "warn" } }, // one JSON line per request at "info"
  }),
);

const answer = await pipeline.generate(
  { model: "gpt-4o-mini", temperature: 0, messages: [{ role: "user", content: "Hi" }] },
  { tenant: "acme" },
);
console.log(answer.content, answer.cache, answer.costUsd);
const city = await pipeline.structured({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "The largest city in Norway, as JSON" }],
  schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
});
console.log(city.data, city.validation?.valid);
for await (const event of pipeline.stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })) {
  if (event.type === "delta") process.stdout.write(event.content);
}
const usage = await pipeline.usage({}, { tenant: "acme" });
const snapshot = pipeline.metricsSnapshot({ tenant: "acme" });
console.log("\n", usage.totals.requests, snapshot.models["gpt-4o-mini"]?.["1m"].requests); // 1 1: acme's own figures
await pipeline.close();
await simulator.close();
