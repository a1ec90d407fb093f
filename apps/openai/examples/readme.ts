import OpenAI from "openai";

// Keel running (`pnpm start` at the repo root), or KEEL_OPENAI_URL. The key is not read
// until Keel has API keys; the SDK wants one, so any string does.
const client = new OpenAI({ baseURL: process.env.KEEL_OPENAI_URL ?? "http://127.0.0.1:8080/v1", apiKey: "keel" });

const { data: completion, response } = await client.chat.completions
  .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })
  .withResponse();
console.log(completion.choices[0]?.message.content);
console.log(response.headers.get("x-keel-cache"), response.headers.get("x-keel-cost-usd"));

const stream = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Tell me about lighthouses." }],
  stream: true,
  stream_options: { include_usage: true },
});
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.delta.content ?? "");
  if (chunk.usage) console.log("\n", chunk.usage.total_tokens, "tokens");
}

try {
  await client.chat.completions.create({ model: "gpt-9", messages: [{ role: "user", content: "Hi" }] });
} catch (error) {
  // OpenAI's error object; `code` is Keel's code, `error.keel` has retryable and details.
  if (error instanceof OpenAI.APIError) console.log(error.status, error.code);
}
