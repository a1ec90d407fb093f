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

/** The caller's key as each transport sends it; none when the services run open (BENCH_AUTH=none). */
export interface TargetAuth {
  /** `Bearer keel_...`, or undefined. */
  authorization: string | undefined;
}

const authHeaders = (auth: TargetAuth): Record<string, string> =>
  auth.authorization === undefined ? {} : { authorization: auth.authorization };

/**
 * tRPC `ai.stream` over SSE (a GET with the input in the query, the key in the header),
 * cache bypassed. `generic`: through tRPC's own SSE producer instead of the service's fast
 * path, which leaves any request with another query parameter to tRPC (tRPC ignores it).
 */
export function trpcTarget(port: number, options: TargetAuth & { generic?: boolean }): StreamTarget {
  const agent = new Agent({ keepAlive: true, maxSockets: 4096 });
  const input = encodeURIComponent(JSON.stringify({ model: "gpt-4o-mini", messages, cache: { mode: "bypass" } }));
  const name = options.generic ? "trpc-generic" : "trpc";
  return {
    name,
    processName: "trpc",
    call: createSseStreamCall({
      agent,
      url: new URL(`http://127.0.0.1:${port}/trpc/ai.stream?input=${input}${options.generic ? "&via=trpc" : ""}`),
      method: "GET",
      headers: authHeaders(options),
      classify: classifyKeelEvent,
      failureOf: keelErrorCode,
      timeoutMs,
    }),
    close: () => agent.destroy(),
  };
}

/** GraphQL `generateStream` over graphql-ws, cache bypassed, spread over a pool of sockets. */
export async function graphqlTarget(port: number, auth: TargetAuth): Promise<StreamTarget> {
  const streams = await openGraphqlWsStreams({
    url: `ws://127.0.0.1:${port}/graphql`,
    connectionParams: authHeaders(auth),
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
export function openAiTarget(port: number, auth: TargetAuth): StreamTarget {
  const agent = new Agent({ keepAlive: true, maxSockets: 4096 });
  return {
    name: "openai",
    processName: "openai",
    call: createSseStreamCall({
      agent,
      url: new URL(`http://127.0.0.1:${port}/v1/chat/completions`),
      method: "POST",
      body: JSON.stringify({ model: "gpt-4o-mini", messages, stream: true }),
      headers: { "x-keel-cache-mode": "bypass", ...authHeaders(auth) },
      classify: classifyOpenAiChunk,
      timeoutMs,
    }),
    close: () => agent.destroy(),
  };
}
