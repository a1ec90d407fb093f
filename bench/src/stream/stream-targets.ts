import { existsSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { openGraphqlWsStreams } from "./graphql-ws-streams.ts";
import { classifyKeelEvent, classifyOpenAiChunk, createSseStreamCall, keelErrorCode } from "./sse-stream.ts";
import type { StreamCall } from "./stream-outcome.ts";

export interface StreamTarget {
  name: string;
  /** The process whose CPU time a stream costs (the service, or the upstream for the baseline). */
  processName: string;
  call: StreamCall;
  close(): void;
}

const prompt = "Write one sentence about lighthouses.";
const messages = [{ role: "user", content: prompt }];
const timeoutMs = 15_000;

export function upstreamTarget(port: number): StreamTarget {
  const agent = new Agent({ keepAlive: true, maxSockets: 4096 });
  return {
    name: "upstream",
    processName: "upstream",
    call: createSseStreamCall({
      agent,
      url: new URL(`http://127.0.0.1:${port}/v1/chat/completions`),
      method: "POST",
      body: JSON.stringify({ model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } }),
      classify: classifyOpenAiChunk,
      timeoutMs,
    }),
    close: () => agent.destroy(),
  };
}

/** tRPC `ai.stream` over SSE (a GET with the input in the query), cache bypassed. */
export function trpcTarget(port: number): StreamTarget {
  const agent = new Agent({ keepAlive: true, maxSockets: 4096 });
  const input = encodeURIComponent(JSON.stringify({ model: "gpt-4o-mini", messages, cache: { mode: "bypass" } }));
  return {
    name: "trpc",
    processName: "trpc",
    call: createSseStreamCall({
      agent,
      url: new URL(`http://127.0.0.1:${port}/trpc/ai.stream?input=${input}`),
      method: "GET",
      classify: classifyKeelEvent,
      failureOf: keelErrorCode,
      timeoutMs,
    }),
    close: () => agent.destroy(),
  };
}

/** GraphQL `generateStream` over graphql-ws, cache bypassed, spread over a pool of sockets. */
export async function graphqlTarget(port: number): Promise<StreamTarget> {
  const streams = await openGraphqlWsStreams({
    url: `ws://127.0.0.1:${port}/graphql`,
    query: `subscription { generateStream(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "${prompt}" }], cache: { mode: BYPASS } }) { type content error { code } } }`,
    connections: 32,
    timeoutMs,
  });
  return { name: "graphql", processName: "graphql", call: streams.call, close: streams.close };
}

/** Whether the OpenAI-compatible service (apps/openai) is in this checkout. */
export function openAiAppEntry(repoRoot: string): string | undefined {
  const entry = join("apps", "openai", "src", "main.ts");
  return existsSync(join(repoRoot, entry)) ? entry : undefined;
}

/** The OpenAI-compatible SSE transport (apps/openai): a streamed `/v1/chat/completions`, cache bypassed by its header. */
export function openAiTarget(port: number): StreamTarget {
  const agent = new Agent({ keepAlive: true, maxSockets: 4096 });
  return {
    name: "openai",
    processName: "openai",
    call: createSseStreamCall({
      agent,
      url: new URL(`http://127.0.0.1:${port}/v1/chat/completions`),
      method: "POST",
      body: JSON.stringify({ model: "gpt-4o-mini", messages, stream: true }),
      headers: { "x-keel-cache-mode": "bypass" },
      classify: classifyOpenAiChunk,
      timeoutMs,
    }),
    close: () => agent.destroy(),
  };
}
