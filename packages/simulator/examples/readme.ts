import { startSimulator } from "@keel/simulator";
import OpenAI from "openai";

const simulator = await startSimulator({
  rules: [{ model: "gpt-4o-mini", times: 3, fault: { type: "status", status: 500 } }],
});
const client = new OpenAI({ baseURL: simulator.url, apiKey: "sk-any", maxRetries: 0 });
const ask = () => client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });

for (let call = 1; call <= 4; call += 1) {
  // The first three calls fail with InternalServerError (status 500), then normal answers.
  const outcome = await ask().then(
    (completion) => completion.choices[0]?.message.content,
    (error: unknown) => (error instanceof OpenAI.APIError ? `status ${error.status}` : String(error)),
  );
  console.log(`call ${call}:`, outcome);
}

simulator.setRules([{ promptIncludes: "weather", reply: "It is sunny." }]);
console.log(simulator.stats()); // { calls: { "gpt-4o-mini": 4 }, totalCalls: 4, openConnections: ..., inFlight: 0, clientAborts: 0 }
await simulator.close();
