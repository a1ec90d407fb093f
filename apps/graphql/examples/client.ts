/**
 * A partner team's view of Keel's GraphQL service: one mutation over plain fetch, then a
 * streamed answer over a graphql-ws subscription. Start the service first (`pnpm start`
 * at the repository root), then:
 *
 *   pnpm --filter @keel/graphql example                       # http://127.0.0.1:4000/graphql
 *   pnpm --filter @keel/graphql example http://host:4000/graphql
 *   KEEL_GRAPHQL_URL=http://host:4000/graphql pnpm --filter @keel/graphql example
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const url = process.argv[2] ?? process.env.KEEL_GRAPHQL_URL ?? "http://127.0.0.1:4000/graphql";

interface GraphqlError {
  message: string;
  extensions?: { code?: string; retryable?: boolean; details?: Record<string, unknown> };
}

const GENERATE = `
  mutation Generate($input: GenerateInput!) {
    generate(input: $input) {
      id content model provider cache attempts costUsd latencyMs finishReason
      usage { promptTokens completionTokens totalTokens }
      fallback { failed { target code } answeredBy }
    }
  }`;

const STREAM = `
  subscription Stream($input: GenerateInput!) {
    generateStream(input: $input) {
      type content
      generation { id model cache usage { totalTokens } costUsd latencyMs }
      error { code message retryable }
    }
  }`;

const input = {
  model: "gpt-4o-mini",
  messages: [
    { role: "SYSTEM", content: "You answer in one sentence." },
    { role: "USER", content: "What does a production layer for LLM calls do?" },
  ],
  temperature: 0,
};

/** A query or mutation is one POST; failures carry Keel's code in extensions.code. */
async function generateOnce(): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: GENERATE, variables: { input } }),
  });
  const body = (await response.json()) as {
    data?: { generate: Record<string, unknown> } | null;
    errors?: GraphqlError[];
  };
  if (body.errors?.length) {
    for (const error of body.errors)
      console.error(
        `generate failed: ${error.extensions?.code} ${error.message} (retryable: ${error.extensions?.retryable})`,
      );
    return;
  }
  console.log("generate ->", body.data?.generate);
}

/** A stream is a subscription over WebSocket on the same URL: deltas, then DONE or ERROR. */
async function streamOnce(): Promise<void> {
  const client = createClient({ url: url.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    const events = client.iterate<{
      generateStream: { type: string; content: string | null; generation: unknown; error: GraphqlError | null };
    }>({
      query: STREAM,
      variables: { input: { ...input, messages: [{ role: "USER", content: "Count from one to ten." }] } },
    });
    process.stdout.write("stream -> ");
    for await (const result of events) {
      if (result.errors?.length) {
        console.error(`\nstream refused: ${result.errors[0]?.extensions?.code} ${result.errors[0]?.message}`);
        break;
      }
      const event = result.data?.generateStream;
      if (event?.type === "DELTA") process.stdout.write(event.content ?? "");
      if (event?.type === "DONE") console.log("\nstream done ->", event.generation);
      if (event?.type === "ERROR") console.error("\nstream failed ->", event.error);
    }
  } finally {
    await client.dispose();
  }
}

await generateOnce();
await streamOnce();
