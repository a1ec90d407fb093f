import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { freePort, startRedisServer, type RedisServerHandle } from "@keel/testkit";

const appRoot = fileURLToPath(new URL("..", import.meta.url));

/** The service's main as a process of its own, as `pnpm start` runs it. */
function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: appRoot,
    env: { ...process.env, KEEL_CONFIG: "", KEEL_LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe("KEEL_WORKERS: several processes of one service on one port (node:cluster)", () => {
  let redis: RedisServerHandle;
  let simulator: SimulatorHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
    simulator = await startSimulator({ port: 0 });
  });
  afterAll(async () => {
    await simulator.close();
    await redis.stop();
  });

  it("KEEL_WORKERS=2 forks two workers that answer on the one port, share the cache in Redis, and stop on SIGTERM", async () => {
    const port = await freePort();
    const main = startMain({
      KEEL_WORKERS: "2",
      KEEL_TRPC_PORT: String(port),
      REDIS_URL: redis.url,
      OPENAI_API_KEY: "test",
      OPENAI_BASE_URL: simulator.url,
    });
    try {
      // Three processes load the TypeScript sources under tsx: slow on a busy machine.
      const until = Date.now() + 120_000;
      while (!main.output().includes("2 workers listening")) {
        if (main.child.exitCode !== null || Date.now() > until) throw new Error(`no workers: ${main.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Children running the main (tsx also starts an esbuild process, which is not a worker).
      const workers = spawnSync("pgrep", ["-P", String(main.child.pid), "-f", "src/main.ts"], { encoding: "utf8" })
        .stdout.trim()
        .split("\n")
        .filter(Boolean);
      expect(workers).toHaveLength(2);

      const body = JSON.stringify({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "shared" }],
        temperature: 0,
      });
      const caches: string[] = [];
      // New connections each time, so the primary hands them to both workers in turn.
      for (let call = 0; call < 6; call += 1) {
        const response = await fetch(`http://127.0.0.1:${port}/trpc/ai.generate`, {
          method: "POST",
          headers: { "content-type": "application/json", connection: "close" },
          body,
        });
        const answer = (await response.json()) as { result: { data: { cache: string } } };
        caches.push(answer.result.data.cache);
      }
      // One upstream call in all: whichever worker answered found the first one's entry in Redis.
      expect(caches).toEqual(["miss", "exact", "exact", "exact", "exact", "exact"]);
      expect(simulator.stats().calls["gpt-4o-mini"]).toBe(1);
    } finally {
      main.child.kill("SIGTERM");
    }
    expect(await main.exited).toBe(0);
  }, 180_000);

  it("KEEL_WORKERS=2 without Redis does not start, and says why", async () => {
    const main = startMain({ KEEL_WORKERS: "2", KEEL_TRPC_PORT: String(await freePort()), REDIS_URL: "" });
    expect(await main.exited).toBe(1);
    expect(main.output()).toContain("KEEL_WORKERS: 2 workers need Redis (REDIS_URL or redis.url)");
  }, 60_000);
});
