import type { LoadTarget } from "./open-loop.ts";

let sequence = 0;

/**
 * A user message no earlier request asked (a sequence number per benchmark process), so
 * every call through a service is an exact- and semantic-cache miss: the whole pipeline
 * and an upstream call, with the cache on.
 */
function uniqueMessage(): string {
  sequence += 1;
  return `Write one sentence about lighthouses, number ${sequence}.`;
}

/** POST /v1/chat/completions straight to the mock upstream, or to the forwarder in front of it. */
export function chatCompletionsTarget(name: string, url: string): LoadTarget {
  return {
    name,
    url,
    body: () => JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: uniqueMessage() }] }),
    isSuccess: (status, text) => status === 200 && text.includes('"content"'),
  };
}

/** tRPC `ai.generate`; one URL per process in the two-process mode. Must answer a cache miss. */
export function trpcGenerateTarget(name: string, origins: string | readonly string[]): LoadTarget {
  const list = typeof origins === "string" ? [origins] : origins;
  return {
    name,
    url: list.map((origin) => `${origin}/trpc/ai.generate`),
    // temperature 0: cacheable, so each call looks up and stores (a non-deterministic request skips the cache).
    body: () =>
      JSON.stringify({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: uniqueMessage() }],
        temperature: 0,
      }),
    isSuccess: (status, text) => status === 200 && text.includes('"cache":"miss"'),
  };
}

const GRAPHQL_GENERATE =
  "mutation Generate($input: GenerateInput!) { generate(input: $input) { id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs } }";

/** GraphQL `generate` with the message in a variable. Must answer a cache miss. */
export function graphqlGenerateTarget(name: string, origin: string): LoadTarget {
  return {
    name,
    url: `${origin}/graphql`,
    body: () =>
      JSON.stringify({
        query: GRAPHQL_GENERATE,
        variables: {
          input: { model: "gpt-4o-mini", messages: [{ role: "USER", content: uniqueMessage() }], temperature: 0 },
        },
      }),
    isSuccess: (status, text) => status === 200 && text.includes('"cache":"MISS"'),
  };
}

/** The same temperature-0 request every time: after one priming call, an exact-cache hit. */
export function trpcCacheHitTarget(origin: string): LoadTarget {
  return {
    name: "trpc cache hit",
    url: `${origin}/trpc/ai.generate`,
    body: JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Write one sentence about lighthouses." }],
      temperature: 0,
    }),
    isSuccess: (status, text) => status === 200 && text.includes('"cache":"exact"'),
  };
}
