import type { LoadTarget } from "./open-loop.ts";

const WORDS = (
  "harbour lantern granite tide beacon keeper storm fog signal coast reef cliff island shipwreck compass " +
  "chart voyage anchor sail mast rope timber oak maple river valley meadow orchard village market bakery " +
  "bread cheese honey garden rose tulip violet thunder lightning rain snow winter autumn summer spring " +
  "morning evening midnight candle library novel poem letter stamp bicycle railway station ticket engine " +
  "copper silver marble velvet cotton wool mountain glacier volcano desert canyon prairie forest pine " +
  "falcon heron otter badger salmon whale dolphin turtle beetle spider cricket piano violin drum trumpet " +
  "choir festival lantern kite balloon museum statue painting sculpture bridge tunnel tower castle " +
  "kitchen recipe soup pepper ginger lemon orange apple pear plum cherry walnut almond coffee tea"
).split(" ");

let sequence = 0;
let seed = 0x2545f491;

/** A seeded pseudo-random index below `size` (xorshift32), so every run asks the same messages. */
function nextIndex(size: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % size;
}

/**
 * A user message no earlier request asked (a sequence number), made of eight words drawn
 * from a vocabulary, so every call through a service is an exact- and semantic-cache miss:
 * the whole pipeline and an upstream call, with the cache on. The words vary because
 * near-identical messages ("... number 1", "... number 2") are not what a miss usually
 * looks like: every one is close to every stored one, so each semantic lookup compares
 * against the whole index (bench/README.md measures that case apart).
 */
export function uniqueMessage(): string {
  sequence += 1;
  const words = Array.from({ length: 8 }, () => WORDS[nextIndex(WORDS.length)]);
  return `Write one sentence about ${words.join(" ")} (${sequence}).`;
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
