/**
 * CPU per operation of three parts of a pipeline call, this build against a built copy from
 * before (BENCH_BASELINE=dir, as for pipeline-ab.ts), in one process, rounds alternating:
 * the SDK's request building (`buildRequest`, the header set included), the exact-cache key
 * and semantic partition of a request, and the profanity matcher's text transformation of
 * an 80-character window. Figures: median µs per operation over the rounds.
 *
 *   pnpm build && BENCH_BASELINE=/tmp/keel-before node --import tsx bench/src/request-parts-ab.ts
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseBaselines } from "./baselines.ts";
import { repoRoot } from "./repo-root.ts";

/** What this script uses of obscenity (loaded from a tree's safety package, untyped here). */
interface ObscenityModule {
  englishDataset: { build(): object };
  englishRecommendedTransformers: object;
  RegExpMatcher: new (options: object) => object;
}

interface Part {
  label: string;
  run: () => unknown;
  samples: number[];
}

const rounds = Number(process.env.BENCH_PARTS_ROUNDS ?? 20);
const operations = Number(process.env.BENCH_PARTS_OPERATIONS ?? 5_000);
const baseline = parseBaselines(process.env.BENCH_BASELINE)[0];
if (baseline === undefined) throw new Error("BENCH_BASELINE=<built copy from before> is required");

const request = {
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Write one sentence about harbour lantern violet orbit (1234)." }],
  temperature: 0,
};
const window = "Write one sentence about harbour lantern violet orbit quartz meadow ember (1234).";

async function partsOf(root: string, label: string): Promise<Part[]> {
  const load = (path: string) => import(pathToFileURL(join(root, path)).href);
  const keys = (await load("packages/cache/dist/cache-key.js")) as {
    exactCacheKey(request: unknown, options: { namespace: string }): string;
    semanticPartition(request: unknown, options: { namespace: string; embedder: string }): string;
  };
  const { createKeelOpenAI } = (await load("packages/providers/dist/keel-openai.js")) as {
    createKeelOpenAI(options: object): { buildRequest(options: object): Promise<unknown> };
  };
  const { createNodeFetch } = (await load("packages/providers/dist/node-fetch.js")) as {
    createNodeFetch(): typeof fetch;
  };
  const client = createKeelOpenAI({
    apiKey: "bench",
    baseURL: "http://127.0.0.1:9/v1",
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: 2_147_483_647,
    logLevel: "off",
    fetch: createNodeFetch(),
  });
  const matcher = (await load("packages/safety/dist/toxicity/literal-gated-matcher.js")) as {
    transformText?: (input: string, transformers: unknown) => unknown;
  };
  // obscenity as the safety package of that tree has it (the bench does not depend on it).
  const { englishDataset, englishRecommendedTransformers, RegExpMatcher } = createRequire(
    join(root, "packages/safety/package.json"),
  )("obscenity") as ObscenityModule;
  const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers }) as unknown as {
    blacklistMatcherTransformers: unknown;
    applyTransformers(input: string, transformers: unknown): unknown;
  };
  const transform =
    matcher.transformText ??
    ((input: string, transformers: unknown) => obscenity.applyTransformers(input, transformers));
  return [
    {
      label: `${label} sdk buildRequest`,
      // The SDK's options for a chat call, as `chat.completions.create` hands them on.
      run: () => client.buildRequest({ method: "post", path: "/chat/completions", body: request }),
      samples: [],
    },
    {
      label: `${label} cache keys`,
      run: () => {
        keys.exactCacheKey(request, { namespace: "default" });
        return keys.semanticPartition(request, { namespace: "default", embedder: "keel-local-hash-v1-512" });
      },
      samples: [],
    },
    {
      label: `${label} transform text`,
      run: () => transform(window, obscenity.blacklistMatcherTransformers),
      samples: [],
    },
  ];
}

const current = await partsOf(repoRoot, "current");
const before = await partsOf(baseline.root, "before");
for (const part of [...current, ...before]) for (let index = 0; index < 2_000; index++) await part.run();
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [current, before] : [before, current];
  for (const parts of order)
    for (const part of parts) {
      const start = process.cpuUsage();
      for (let index = 0; index < operations; index++) await part.run();
      const used = process.cpuUsage(start);
      part.samples.push((used.user + used.system) / operations);
    }
}
for (let index = 0; index < current.length; index++)
  for (const part of [current[index], before[index]] as Part[])
    console.log(
      `${part.label.padEnd(28)} ${median(part.samples).toFixed(2)} µs per operation (median of ${rounds} rounds)`,
    );

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
