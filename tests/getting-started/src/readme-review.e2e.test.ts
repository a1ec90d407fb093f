import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CurlCommand, curlCommands } from "./test-support/curl-lines.ts";
import { REPO_ROOT, runPnpm, type UserProcess } from "./test-support/keel-process.ts";
import { fencedBlocks, readText } from "./test-support/markdown.ts";

const BANNER_END = /Ctrl-C stops Keel\.\n/;
const CHECKED = "<!-- checked by tests/getting-started/src/readme-review.e2e.test.ts";
/** The review ids the README's lines show; replaced by the ids the held answers really got. */
const README_IDS = { trpc: "rv_0mx5…", graphql: "rv_0mx6…" };

/** The sh blocks that follow the "checked by this test" marker in the root README. */
function checkedBlocks(): string[] {
  const readme = readText(REPO_ROOT, "README.md");
  const lines = readme.split("\n");
  return fencedBlocks(readme)
    .filter((block) => block.info === "sh" && (lines[block.line - 2] ?? "").startsWith(CHECKED))
    .map((block) => block.body);
}

interface Ports {
  trpc: string;
  graphql: string;
  simulator: string;
}

/** Runs one README curl line against the running Keel: its default ports and the README's ids replaced. */
async function run(command: CurlCommand, ports: Ports, ids: Partial<Record<keyof typeof README_IDS, string>> = {}) {
  const withIds = (text: string) =>
    (Object.keys(README_IDS) as (keyof typeof README_IDS)[]).reduce(
      (result, service) => (ids[service] === undefined ? result : result.replaceAll(README_IDS[service], ids[service])),
      text,
    );
  let url = `http://${command.url}`
    .replace("localhost:3000", `127.0.0.1:${ports.trpc}`)
    .replace("localhost:4000", `127.0.0.1:${ports.graphql}`)
    .replace("localhost:4100", `127.0.0.1:${ports.simulator}`);
  if (command.query)
    url += `?${new URLSearchParams(Object.fromEntries(Object.entries(command.query).map(([name, value]) => [name, withIds(value)])))}`;
  const response = await fetch(url, {
    method: command.body === undefined ? "GET" : "POST",
    headers: command.headers,
    ...(command.body === undefined ? {} : { body: withIds(command.body) }),
  });
  expect(response.status, `${command.url}: ${response.status}`).toBe(200);
  return response.headers.get("content-type")?.startsWith("text/event-stream")
    ? await response.text()
    : ((await response.json()) as Record<string, unknown>);
}

describe("the README's human review lines, against `pnpm start` with the README's config", () => {
  let keel: UserProcess;
  const ports: Ports = { trpc: "", graphql: "", simulator: "" };
  beforeAll(async () => {
    const [setup] = checkedBlocks();
    // The block's printf writes the config; the test writes the same text where it can.
    const format = /printf '([^']*)' > review\.yaml/.exec(setup ?? "")?.[1];
    expect(format, "the README's printf line").toBeDefined();
    const config = join(mkdtempSync(join(tmpdir(), "keel-review-")), "review.yaml");
    writeFileSync(config, (format as string).replaceAll("\\n", "\n"));
    ports.trpc = String(await freePort());
    ports.graphql = String(await freePort());
    ports.simulator = String(await freePort());
    keel = runPnpm(["start"], {
      KEEL_CONFIG: config,
      KEEL_TRPC_PORT: ports.trpc,
      KEEL_GRAPHQL_PORT: ports.graphql,
      KEEL_SIMULATOR_PORT: ports.simulator,
      KEEL_OPENAI_PORT: String(await freePort()),
    });
    await keel.waitFor(BANNER_END);
    const [rules] = curlCommands(setup as string);
    expect(await run(rules as CurlCommand, ports)).toEqual({ ok: true, rules: 1 });
  });
  afterAll(() => keel.kill());

  it("finds both checked blocks: the setup, then the tRPC and GraphQL lines", () => {
    const blocks = checkedBlocks();
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain("KEEL_CONFIG=review.yaml pnpm start");
    expect(curlCommands(blocks[1] as string).map((command) => command.url)).toEqual([
      "localhost:3000/trpc/ai.generate",
      "localhost:3000/trpc/review.status",
      "localhost:3000/trpc/review.list",
      "localhost:3000/trpc/review.approve",
      "localhost:3000/trpc/review.status",
      "localhost:3000/trpc/review.watch",
      "localhost:4000/graphql",
      "localhost:4000/graphql",
      "localhost:4000/graphql",
      "localhost:4000/graphql",
    ]);
  });

  it("tRPC lines: a held answer, the caller's poll, the reviewer's queue and approval, and the released answer", async () => {
    const [generate, pending, list, approve, released, watch] = curlCommands(checkedBlocks()[1] as string);
    const held = (await run(generate as CurlCommand, ports)) as {
      result: { data: { content: string; review: { id: string; state: string } } };
    };
    const id = held.result.data.review.id;
    expect(held.result.data).toMatchObject({
      content: "",
      review: { id: expect.stringMatching(/^rv_/), state: "pending" },
      safety: { output: [{ scanner: "toxicity", detector: "toxicity", kind: "TOXIC", action: "review" }] },
    });
    expect(await run(pending as CurlCommand, ports, { trpc: id })).toMatchObject({
      result: { data: { content: "", review: { id, state: "pending" } } },
    });
    expect(await run(list as CurlCommand, ports)).toMatchObject({
      result: { data: { items: [{ id, tenant: "default", route: "support", mode: "hold", state: "pending" }] } },
    });
    expect(await run(approve as CurlCommand, ports, { trpc: id })).toMatchObject({
      result: { data: { id, state: "approved", decision: { reviewer: "rita" } } },
    });
    expect(await run(released as CurlCommand, ports, { trpc: id })).toMatchObject({
      result: { data: { content: expect.stringContaining("idiot"), review: { id, state: "approved" } } },
    });
    const events = (await run(watch as CurlCommand, ports, { trpc: id })) as string;
    expect(events).toContain('data: {"type":"status","generation":{');
    expect(events).toContain('"review":{"id":"' + id + '","state":"approved"}');
    expect(events).toContain("event: return");
  });

  it("GraphQL lines: a held answer, the reviewer's view and rejection, and the caller's CONTENT_BLOCKED", async () => {
    const [, , , , , , generate, read, reject, status] = curlCommands(checkedBlocks()[1] as string);
    const held = (await run(generate as CurlCommand, ports)) as {
      data: { generate: { content: string; review: { id: string; state: string } } };
    };
    const id = held.data.generate.review.id;
    expect(held.data.generate).toEqual({
      content: "",
      review: { id: expect.stringMatching(/^rv_/), state: "PENDING" },
      safety: {
        output: [
          { detector: "toxicity", kind: "TOXIC", action: "REVIEW", score: expect.any(Number), start: 0, end: 74 },
        ],
      },
    });
    expect(await run(read as CurlCommand, ports, { graphql: id })).toMatchObject({
      data: {
        reviewItems: { items: [{ id, detectors: ["toxicity"], createdAt: expect.any(Number) }] },
        reviewItem: {
          state: "PENDING",
          request: { messages: [{ role: "USER", content: "Be rude to me" }] },
          generation: { content: expect.stringContaining("idiot") },
        },
      },
    });
    expect(await run(reject as CurlCommand, ports, { graphql: id })).toMatchObject({
      data: { rejectReview: { state: "REJECTED", decision: { reviewer: "sam", reason: "insult" } } },
    });
    expect(await run(status as CurlCommand, ports, { graphql: id })).toMatchObject({
      data: null,
      errors: [
        {
          message: "the answer was rejected in review",
          extensions: {
            code: "CONTENT_BLOCKED",
            retryable: false,
            details: { reason: "review-rejected", reviewId: id },
          },
        },
      ],
    });
  });
});
