import { createServer, type Server } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "@keel/simulator";
import { freePort } from "@keel/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLines, plainLines, runPnpm, type UserProcess } from "./test-support/keel-process.ts";

const BANNER_END = /Ctrl-C stops Keel\.\n/;

async function ports(): Promise<Record<string, string>> {
  return {
    KEEL_TRPC_PORT: String(await freePort()),
    KEEL_GRAPHQL_PORT: String(await freePort()),
    KEEL_OPENAI_PORT: String(await freePort()),
    KEEL_SIMULATOR_PORT: String(await freePort()),
  };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** What was printed after the banner, log lines left out: a clean stop prints exactly one line. */
function afterBanner(process: UserProcess): string[] {
  const stdout = process.stdout();
  return plainLines(stdout.slice(stdout.search(BANNER_END))).slice(1);
}

function expectNoCrashDump(text: string): void {
  expect(text).not.toMatch(/\n\s+at [^\n]+\(?[^\n]*:\d+:\d+\)?/); // a stack frame
  expect(text).not.toContain("ELIFECYCLE");
  expect(text).not.toContain("ERR_PNPM");
  expect(text).not.toContain("Node.js v");
}

describe("pnpm start: the embedded default", () => {
  let keel: UserProcess;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await ports();
    keel = runPnpm(["start"], env);
    await keel.waitFor(BANNER_END);
  });
  afterAll(() => keel.kill());

  it("prints what Keel talks to, the service URLs and curl lines that work", async () => {
    const stdout = keel.stdout();
    expect(stdout).toContain(
      `Keel is running on the embedded simulator; models are answered by simulator at http://127.0.0.1:${env.KEEL_SIMULATOR_PORT}/v1.`,
    );
    expect(stdout).toContain(`tRPC     http://127.0.0.1:${env.KEEL_TRPC_PORT}/trpc`);
    expect(stdout).toContain(`GraphQL  http://127.0.0.1:${env.KEEL_GRAPHQL_PORT}/graphql`);
    expect(stdout).toContain(`OpenAI   http://127.0.0.1:${env.KEEL_OPENAI_PORT}/v1`);
    // The dashboard, built by `pnpm start` when its sources changed, on the tRPC service.
    expect(stdout).toContain(`Dashboard http://127.0.0.1:${env.KEEL_TRPC_PORT}/dashboard/`);
    const dashboard = await fetch(`http://127.0.0.1:${env.KEEL_TRPC_PORT}/dashboard/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("<title>Keel dashboard</title>");
    const curl = /curl -s (\S+\/trpc\/ai\.generate) -H 'content-type: application\/json' -d '([^']+)'/.exec(stdout);
    expect(curl).not.toBeNull();
    const answer = await postJson(curl?.[1] as string, JSON.parse(curl?.[2] as string));
    expect(answer.status).toBe(200);
    // The OpenAI line asks the same question: an exact cache hit of the tRPC answer, in OpenAI's shape.
    const openaiCurl = /curl -s (\S+\/v1\/chat\/completions) -H 'content-type: application\/json' -d '([^']+)'/.exec(
      stdout,
    );
    expect(openaiCurl?.[1]).toBe(`http://127.0.0.1:${env.KEEL_OPENAI_PORT}/v1/chat/completions`);
    const completion = await postJson(openaiCurl?.[1] as string, JSON.parse(openaiCurl?.[2] as string));
    expect(completion).toMatchObject({
      status: 200,
      json: {
        object: "chat.completion",
        choices: [{ message: { content: (answer.json.result as { data: { content: string } }).data.content } }],
      },
    });
  });

  it("runs every service on ONE pipeline: a tRPC answer is an exact cache hit over GraphQL and OpenAI, one usage ledger, log lines name the service", async () => {
    const prompt = `one pipeline ${Date.now()}`;
    const trpc = await postJson(`http://127.0.0.1:${env.KEEL_TRPC_PORT}/trpc/ai.generate`, {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: prompt }],
      temperature: 0,
    });
    expect(trpc.json).toMatchObject({ result: { data: { cache: "miss" } } });
    const graphql = await postJson(`http://127.0.0.1:${env.KEEL_GRAPHQL_PORT}/graphql`, {
      query: `mutation { generate(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: ${JSON.stringify(prompt)} }], temperature: 0 }) { cache content } }`,
    });
    const trpcData = (trpc.json.result as { data: { content: string } }).data;
    expect(graphql.json).toEqual({ data: { generate: { cache: "EXACT", content: trpcData.content } } });
    const openai = await fetch(`http://127.0.0.1:${env.KEEL_OPENAI_PORT}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }], temperature: 0 }),
    });
    expect(openai.headers.get("x-keel-cache")).toBe("exact");
    expect(((await openai.json()) as { choices: [{ message: { content: string } }] }).choices[0].message.content).toBe(
      trpcData.content,
    );
    const stats = (await (await fetch(`http://127.0.0.1:${env.KEEL_SIMULATOR_PORT}/_sim/stats`)).json()) as {
      calls: Record<string, number>;
    };
    expect(stats.calls["gpt-4o-mini"]).toBe(2); // the banner's curl lines (one question), and this prompt once

    const trpcUsage = (await (await fetch(`http://127.0.0.1:${env.KEEL_TRPC_PORT}/trpc/usage.get`)).json()) as {
      result: { data: { totals: { requests: number; cacheHits: number; costUsd: number } } };
    };
    const graphqlUsage = await postJson(`http://127.0.0.1:${env.KEEL_GRAPHQL_PORT}/graphql`, {
      query: "{ usage { totals { requests cacheHits costUsd } } }",
    });
    const { requests, cacheHits, costUsd } = trpcUsage.result.data.totals;
    expect({ requests, cacheHits }).toEqual({ requests: 5, cacheHits: 3 });
    expect((graphqlUsage.json.data as { usage: unknown }).usage).toEqual({ totals: { requests, cacheHits, costUsd } });

    await keel.waitFor(/"service":"graphql"[^\n]*"cache":"exact"[\s\S]*"service":"openai"[^\n]*"cache":"exact"/);
    const requestLines = logLines(keel.stdout()).filter((line) => line.msg === "request");
    expect(requestLines.map((line) => line.service)).toEqual(["trpc", "openai", "trpc", "graphql", "openai"]);
  });

  it("Ctrl-C (SIGINT to the process group) prints one line and exits 0: no ELIFECYCLE", async () => {
    keel.interrupt();
    expect(await keel.exited).toEqual({ code: 0, signal: null });
    expect(afterBanner(keel)).toEqual([
      expect.stringMatching(/^SIGINT: Keel is stopping \(in-flight requests get up to \d+ ms\)$/),
    ]);
    expectNoCrashDump(keel.stdout() + keel.stderr());
  });
});

describe("pnpm start against an OpenAI-compatible URL", () => {
  it("honours OPENAI_BASE_URL without OPENAI_API_KEY, prints the base URL, and stops on SIGTERM with exit 0", async () => {
    const local = await startSimulator({ port: 0 }); // stands in for Ollama or vLLM
    const env = await ports();
    const keel = runPnpm(["start"], { ...env, OPENAI_BASE_URL: local.url });
    try {
      await keel.waitFor(BANNER_END);
      expect(keel.stdout()).toContain(`Keel is running; models are answered by openai at ${local.url}.`);
      expect(keel.stdout()).not.toContain("Simulator");
      const answer = await postJson(`http://127.0.0.1:${env.KEEL_TRPC_PORT}/trpc/ai.generate`, {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Hi" }],
      });
      expect(answer.json).toMatchObject({ result: { data: { provider: "openai", model: "gpt-4o-mini" } } });
      expect(local.stats().totalCalls).toBe(1);

      keel.terminate();
      expect(await keel.exited).toEqual({ code: 0, signal: null });
      expect(afterBanner(keel).filter((line) => !line.startsWith(">"))).toEqual([
        expect.stringMatching(/^SIGTERM: Keel is stopping/),
      ]);
      expectNoCrashDump(keel.stdout() + keel.stderr());
    } finally {
      await keel.kill();
      await local.close();
    }
  });
});

describe("pnpm start fails clearly: one message, exit 1, no stack", () => {
  const directory = mkdtempSync(join(tmpdir(), "keel-start-"));

  async function failedStart(env: Record<string, string>): Promise<string> {
    const keel = runPnpm(["start"], env);
    try {
      expect((await keel.exited).code).toBe(1);
      const stderr = keel.stderr();
      expect(stderr.split("Keel did not start:")).toHaveLength(2);
      expect(keel.stdout()).not.toContain("Keel is running");
      expect(stderr).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
      expect(stderr).not.toContain("issues:");
      return stderr
        .slice(stderr.indexOf("Keel did not start:"))
        .replace(/\n\s*ELIFECYCLE[^\n]*/, "")
        .trim();
    } finally {
      await keel.kill();
    }
  }

  it("a misspelt config key, named with the file's path and a suggestion", async () => {
    const file = join(directory, "keel.yaml");
    writeFileSync(
      file,
      "models:\n  small:\n    targets: [simulator/gpt-4o-mini]\n    staticFalback: busy\ndefaults:\n  policy:\n    retry: { maxAttempts: three }\n",
    );
    expect(await failedStart({ ...(await ports()), KEEL_CONFIG: file })).toBe(
      `Keel did not start: invalid Keel config in ${file}:\n` +
        '  - models.small.staticFalback: unknown field; did you mean "staticFallback"?\n' +
        '  - defaults.policy.retry.maxAttempts: expected a number, received "three"',
    );
  });

  it("a fallback rule jumping outside its chain (the README's old example crashed with a stack from resilience)", async () => {
    const file = join(directory, "old-readme.yaml");
    writeFileSync(
      file,
      [
        "providers:",
        "  openai: { apiKey: sk-..., baseURL: https://api.openai.com/v1 }",
        "  local: { apiKey: none, baseURL: http://127.0.0.1:8000/v1 }",
        "models:",
        "  gpt-4o-mini:",
        "    targets: [openai/gpt-4o-mini, local/llama-3.1-8b]",
        "    fallbackRules: { rateLimited: next, contextLength: { target: openai/gpt-4.1 } }",
        "",
      ].join("\n"),
    );
    const message = await failedStart({ ...(await ports()), KEEL_CONFIG: file });
    expect(message).toBe(
      `Keel did not start: invalid Keel config in ${file}:\n` +
        '  - models.gpt-4o-mini.fallbackRules.contextLength.target: "openai/gpt-4.1" is not a target of route "gpt-4o-mini" (openai/gpt-4o-mini, local/llama-3.1-8b); add it to models.gpt-4o-mini.targets or jump to one of them',
    );
  });

  it("a busy port: which service and port, that Keel may already be running, which variable to change", async () => {
    const env = await ports();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.KEEL_TRPC_PORT), "127.0.0.1", resolve));
    try {
      expect(await failedStart(env)).toBe(
        `Keel did not start: the trpc service cannot listen on 127.0.0.1:${env.KEEL_TRPC_PORT}: the port is already in use. ` +
          "Keel may already be running (another `pnpm start`?); stop it, or set KEEL_TRPC_PORT to another port.",
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("an unreachable REDIS_URL, its password masked", async () => {
    const port = await freePort(); // nothing listens there
    expect(await failedStart({ ...(await ports()), REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` })).toBe(
      `Keel did not start: cannot reach Redis at redis://:***@127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}). ` +
        "Start Redis or correct REDIS_URL (or redis.url); unset it to keep the cache and the usage ledger in memory, or set redis.required: false to start without it.",
    );
  });
});
