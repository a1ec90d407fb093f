import { createServer, type Server } from "node:net";
import { startSimulator } from "@keel/simulator";
import { freePort, startRedisServer } from "@keel/testkit";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/config-error.ts";
import { loadConfig, parseConfig } from "../config/load-config.ts";
import { createPipeline } from "../pipeline/create-pipeline.ts";
import { startFailure } from "./run-main.ts";
import { startServiceHost } from "./service-host.ts";
import { checkStartup } from "./startup-checks.ts";
import { StartupError } from "./startup-error.ts";

describe("startServiceHost on a busy port", () => {
  it("fails with a StartupError naming the service, the address, that Keel may be running, and the variable", async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    const pipeline = createPipeline(parseConfig({}));
    let serviceClosed = 0;
    try {
      const failure = await startServiceHost({
        name: "graphql",
        pipeline,
        host: "127.0.0.1",
        port,
        serve: () => ({
          handler: () => {},
          async close() {
            serviceClosed += 1;
          },
        }),
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StartupError);
      // What the service started on the host (GraphQL: Apollo, the WebSocket server) does not linger.
      expect(serviceClosed).toBe(1);
      expect((failure as Error).message).toBe(
        `the graphql service cannot listen on 127.0.0.1:${port}: the port is already in use. ` +
          "Keel may already be running (another `pnpm start`?); stop it, or set KEEL_GRAPHQL_PORT to another port.",
      );
    } finally {
      await pipeline.close();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("checkStartup", () => {
  it("passes when the configured Redis answers, and fails with the reason when it does not", async () => {
    const redis = await startRedisServer();
    try {
      await expect(checkStartup(loadConfig({ REDIS_URL: redis.url }))).resolves.toBeUndefined();
    } finally {
      await redis.stop();
    }
    const port = await freePort();
    const failure = await checkStartup(loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}` })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\. `,
      ),
    );
  });

  it("does not wait for Redis when none is configured or it is not required", async () => {
    await expect(checkStartup(loadConfig({}))).resolves.toBeUndefined();
    const port = await freePort();
    const optional = parseConfig({ redis: { url: `redis://127.0.0.1:${port}`, required: false } });
    await expect(checkStartup(optional)).resolves.toBeUndefined();
  });
});

describe("startFailure (what runMain prints for a failed start)", () => {
  it("is the message alone for what the user can fix, and keeps the stack for a bug", () => {
    const config = new ConfigError("/etc/keel.yaml", [
      { path: "models", message: "expected a mapping (an object), received a list" },
    ]);
    expect(startFailure(config)).toBe(
      "invalid Keel config in /etc/keel.yaml:\n  - models: expected a mapping (an object), received a list",
    );
    expect(startFailure(new StartupError("the port is busy"))).toBe("the port is busy");
    const bug = new TypeError("undefined is not a function");
    expect(startFailure(bug)).toMatch(
      /^unexpected error \(a bug; please report it\):\nTypeError: undefined is not a function\n\s+at /,
    );
  });
});

describe("KEEL_HOST=::1 (an invalid simulator URL was built)", () => {
  it("the embedded default reaches a simulator on the IPv6 loopback", async () => {
    const port = await freePort("::1");
    const simulator = await startSimulator({ host: "::1", port });
    const pipeline = createPipeline(
      loadConfig({ KEEL_HOST: "::1", KEEL_SIMULATOR_PORT: String(port), KEEL_LOG_LEVEL: "silent" }),
    );
    try {
      expect(simulator.url).toBe(`http://[::1]:${port}/v1`);
      expect(pipeline.config.providers.simulator?.baseURL).toBe(simulator.url);
      const answer = await pipeline.generate({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
      expect(answer.provider).toBe("simulator");
      expect(simulator.stats().totalCalls).toBe(1);
      const host = await startServiceHost({
        name: "trpc",
        pipeline,
        host: "::1",
        port: 0,
        serve: () => ({ handler: () => {} }),
      });
      expect(host.url).toBe(`http://[::1]:${host.port}`);
      expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
      await host.shutdown();
    } finally {
      await pipeline.close();
      await simulator.close();
    }
  });
});
