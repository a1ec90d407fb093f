/**
 * CPU per request of the GraphQL service with and without its direct path
 * (apps/graphql/src/http/direct-operations.ts), in one process: two services on one
 * pipeline (embedded default config with NODE_ENV=production: telemetry on, the default
 * safety policy, exact and semantic cache on, every request a miss), one started with
 * `directOperations: false` (Apollo alone). Each round sends BENCH_AB_REQUESTS generate
 * mutations over real HTTP (keep-alive, BENCH_AB_CONCURRENCY in flight, the bench's own
 * request: the mutation with its input in variables) to one service, then the other, the
 * order rotated; the figure is the median over rounds of this process's CPU per request
 * (the client's share is the same on both sides). The mock upstream runs in its own process.
 *
 *   pnpm build && NODE_ENV=production node --conditions=keel-dist --import tsx bench/src/graphql-direct-ab.ts > /dev/null
 *   NODE_ENV=production node --conditions=keel-dist --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/src/graphql-direct-ab.ts > /dev/null
 *
 * NODE_ENV=production as the services run: graphql-js checks every `instanceof` the slow way
 * without it. BENCH_AB_QUERY=typename sends `{ __typename }` instead: the transport alone, no pipeline.
 * Log lines go to stdout (send it to /dev/null); results go to stderr.
 */
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createPipeline, loadConfig, type ServiceHost } from "@keel/core";
import { hasTaskset } from "@keel/testkit";
import { pinThisProcess } from "./pin-this-process.ts";
import { repoRoot } from "./repo-root.ts";
import { startUpstream } from "./request-path-processes.ts";
import { uniqueMessage } from "./request-targets.ts";

interface Contender {
  label: string;
  url: URL;
  samples: number[];
}

const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 20);
const requests = Number(process.env.BENCH_AB_REQUESTS ?? 300);
const concurrency = Number(process.env.BENCH_AB_CONCURRENCY ?? 4);
const warmup = Number(process.env.BENCH_AB_WARMUP ?? 1_500);
const transportOnly = process.env.BENCH_AB_QUERY === "typename";

const GENERATE =
  "mutation Generate($input: GenerateInput!) { generate(input: $input) { id content model provider cache attempts usage { promptTokens completionTokens totalTokens } costUsd latencyMs } }";

const { startGraphqlService } = (await import(pathToFileURL(join(repoRoot, "apps/graphql/dist/index.js")).href)) as {
  startGraphqlService: (options: {
    pipeline: unknown;
    host: string;
    port: number;
    directOperations?: boolean;
  }) => Promise<ServiceHost>;
};

const pinned = hasTaskset() && pinThisProcess(0);
const upstream = await startUpstream({ cpu: pinned ? 1 : undefined });
const pipeline = createPipeline(
  loadConfig({ NODE_ENV: "production", OPENAI_API_KEY: "bench", OPENAI_BASE_URL: `${upstream.origin}/v1` }),
);
const hosts: ServiceHost[] = [];
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
try {
  const contenders: Contender[] = [];
  for (const [label, directOperations] of [
    ["direct", true],
    ["apollo", false],
  ] as const) {
    const host = await startGraphqlService({ pipeline, host: "127.0.0.1", port: 0, directOperations });
    hosts.push(host);
    contenders.push({ label, url: new URL(`${host.url}/graphql`), samples: [] });
  }
  for (const contender of contenders) await runRequests(contender, warmup);
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < contenders.length; offset++) {
      const contender = contenders[(round + offset) % contenders.length] as Contender;
      const before = process.cpuUsage();
      await runRequests(contender, requests);
      const used = process.cpuUsage(before);
      contender.samples.push((used.user + used.system) / requests);
    }
  }
  const [direct, apollo] = contenders as [Contender, Contender];
  for (const contender of contenders) {
    const sorted = [...contender.samples].sort((a, b) => a - b);
    console.error(
      `graphql ${contender.label.padEnd(7)} cpu ${median(sorted).toFixed(1)} µs/request, median over ${rounds} rounds of ${requests}` +
        ` (quartiles ${quartile(sorted, 0.25).toFixed(1)}–${quartile(sorted, 0.75).toFixed(1)})`,
    );
  }
  const differences = apollo.samples
    .map((value, round) => value - (direct.samples[round] ?? value))
    .sort((a, b) => a - b);
  console.error(
    `apollo minus direct, paired by round: ${median(differences).toFixed(1)} µs/request (quartiles ${quartile(differences, 0.25).toFixed(1)}–${quartile(differences, 0.75).toFixed(1)})`,
  );
  console.error(
    `${transportOnly ? "{ __typename }" : "generate (cache miss)"}, pinned ${pinned}, concurrency ${concurrency}, node ${process.version}`,
  );
} finally {
  agent.destroy();
  await Promise.allSettled(hosts.map((host) => host.shutdown()));
  await pipeline.close();
  await upstream.process.stop();
}

/** `count` requests, `concurrency` in flight; throws unless each answered as expected (a cache miss). */
async function runRequests(contender: Contender, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const body = transportOnly
        ? '{"query":"{ __typename }"}'
        : JSON.stringify({
            query: GENERATE,
            variables: {
              input: { model: "gpt-4o-mini", messages: [{ role: "USER", content: uniqueMessage() }], temperature: 0 },
            },
          });
      const text = await post(contender.url, body);
      const expected = transportOnly ? '"__typename":"Query"' : '"cache":"MISS"';
      if (!text.includes(expected)) throw new Error(`${contender.label}: unexpected answer ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A kept-alive socket the service closed as idle (a round on the other service took longer) is retried once, as Node's docs advise. */
function post(url: URL, body: string, retried = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        response.on("error", reject);
      },
    );
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (!retried && outgoing.reusedSocket && error.code === "ECONNRESET") post(url, body, true).then(resolve, reject);
      else reject(error);
    });
    outgoing.end(body);
  });
}

function quartile(sorted: readonly number[], share: number): number {
  return sorted[Math.floor(sorted.length * share)] ?? 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
