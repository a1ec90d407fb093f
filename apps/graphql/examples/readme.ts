import { createPipeline, parseConfig } from "@keel/core";
import { startGraphqlService } from "@keel/graphql";
import { startSimulator } from "@keel/simulator";

// A local OpenAI-compatible server, so this runs anywhere; for OpenAI, drop it and the baseURL.
const simulator = await startSimulator({ port: 0 });
const pipeline = createPipeline(
  parseConfig({
    providers: { openai: { apiKey: "sk-...", baseURL: simulator.url } },
    models: { "gpt-4o-mini": { targets: ["openai/gpt-4o-mini"] } },
    telemetry: { log: { level: "warn" } },
  }),
);
const host = await startGraphqlService({ pipeline, host: "127.0.0.1", port: 0, shutdownGraceMs: 5_000 });
console.log(`${host.url}/graphql`);

const response = await fetch(`${host.url}/graphql`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    query:
      'mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "Hi" }] }) { content cache costUsd } }',
  }),
});
console.log(JSON.stringify(await response.json())); // {"data":{"generate":{"content":"...","cache":"MISS","costUsd":...}}}

await host.shutdown();
await pipeline.close();
await simulator.close();
