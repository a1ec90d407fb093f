import { connect, type Socket } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFuzzStack, type FuzzStack } from "./test-support/fuzz-stack.ts";
import { exchange } from "./test-support/outcome.ts";
import { count, fuzzOptions, IDLE_CONNECTIONS, printTally, runs } from "./test-support/settings.ts";

/**
 * Hostile HTTP against both services: slow headers, huge headers, chunked bodies that never
 * end, raw garbage, and thousands of idle connections at once (KEEL_FUZZ_IDLE_CONNECTIONS,
 * 10,000 in the long run). Property: each hostile connection is answered or cut within a
 * bound, /healthz keeps answering throughout, no process dies, and the heap returns to its
 * baseline once the connections are gone.
 */

let stack: FuzzStack;
const startedAt = Date.now();
beforeAll(async () => {
  stack = await startFuzzStack({
    config: {
      services: {
        shutdownGraceMs: 200,
        maxBodyBytes: 65_536,
        http: { headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000 },
      },
    },
  });
});
afterAll(async () => {
  await stack.close();
  printTally("hostile-http", startedAt);
});

/** What one raw connection got back, and how long until the server ended it. */
function rawConnection(port: number, send: (socket: Socket) => void): Promise<{ text: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a hostile connection open for 5 s; it sent: ${text.slice(0, 200)}`));
    }, 5_000);
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, elapsedMs: Date.now() - startedAt });
    });
    socket.on("connect", () => send(socket));
  });
}

type Attack =
  | { kind: "slow-headers"; dripMs: number }
  | { kind: "huge-header"; bytes: number }
  | { kind: "endless-chunked"; chunkBytes: number }
  | { kind: "garbage"; bytes: string };

const attack: fc.Arbitrary<Attack> = fc.oneof(
  fc.record({ kind: fc.constant("slow-headers" as const), dripMs: fc.integer({ min: 20, max: 200 }) }),
  fc.record({ kind: fc.constant("huge-header" as const), bytes: fc.integer({ min: 17_000, max: 2_000_000 }) }),
  fc.record({ kind: fc.constant("endless-chunked" as const), chunkBytes: fc.integer({ min: 1, max: 4_096 }) }),
  fc.record({ kind: fc.constant("garbage" as const), bytes: fc.string({ maxLength: 400 }) }),
);

function run(target: { port: number; path: string }, chosen: Attack) {
  return rawConnection(target.port, (socket) => {
    const head = `POST ${target.path} HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n`;
    switch (chosen.kind) {
      case "slow-headers": {
        socket.write(head);
        const drip = setInterval(() => socket.writable && socket.write("x-drip: 1\r\n"), chosen.dripMs);
        socket.once("close", () => clearInterval(drip));
        return;
      }
      case "huge-header":
        socket.write(`${head}x-huge: ${"a".repeat(chosen.bytes)}\r\n\r\n`);
        return;
      case "endless-chunked": {
        socket.write(`${head}transfer-encoding: chunked\r\n\r\n`);
        const chunk = `${chosen.chunkBytes.toString(16)}\r\n${"{".repeat(chosen.chunkBytes)}\r\n`;
        const feed = setInterval(() => socket.writable && socket.write(chunk), 10);
        socket.once("close", () => clearInterval(feed));
        return;
      }
      case "garbage":
        socket.write(chosen.bytes);
        socket.end();
    }
  });
}

describe("hostile HTTP", () => {
  it("each hostile connection is answered or cut within a bound, on both services, while /healthz answers", async () => {
    const targets = [
      { port: stack.trpc.port, path: "/trpc/ai.generate" },
      { port: stack.graphql.port, path: "/graphql" },
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), attack, async (which, chosen) => {
        count(`hostile ${chosen.kind}`);
        const target = targets[which] as { port: number; path: string };
        const [outcome, health] = await Promise.all([
          run(target, chosen),
          new Promise<Awaited<ReturnType<typeof exchange>>>((resolve, reject) =>
            setTimeout(() => exchange(`http://127.0.0.1:${target.port}/healthz`).then(resolve, reject), 100),
          ),
        ]);
        expect(outcome.elapsedMs).toBeLessThan(4_000);
        if (chosen.kind === "huge-header") expect(outcome.text).toMatch(/^HTTP\/1\.1 431/);
        if (chosen.kind === "endless-chunked") expect(outcome.text).toMatch(/^HTTP\/1\.1 (413|408)/);
        expect(health.status).toBe(200);
        expect(health.elapsedMs).toBeLessThan(1_000);
      }),
      {
        ...fuzzOptions(runs(12)),
        // Every kind of attack on each service at least once, whatever the seed draws.
        examples: [
          [0, { kind: "huge-header", bytes: 20_000 }],
          [1, { kind: "huge-header", bytes: 1_000_000 }],
          [1, { kind: "slow-headers", dripMs: 50 }],
          [0, { kind: "endless-chunked", chunkBytes: 4_096 }],
        ],
      },
    );
  });

  it(`${IDLE_CONNECTIONS} idle connections at once: the services keep answering, and memory returns to baseline`, async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, "the fuzz suite runs with --expose-gc").toBeTypeOf("function");
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    const sockets: Socket[] = [];
    const ports = [stack.trpc.port, stack.graphql.port];
    for (let index = 0; index < IDLE_CONNECTIONS; index++) {
      const socket = connect(ports[index % 2] as number, "127.0.0.1");
      socket.on("error", () => {});
      sockets.push(socket);
      if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    count("idle connections");
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const port of ports) {
      const health = await exchange(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(health.elapsedMs).toBeLessThan(2_000);
    }
    const generation = await exchange(`${stack.trpcUrl}/ai.generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "under siege" }] }),
    });
    expect(generation.status).toBe(200);
    for (const socket of sockets) socket.destroy();
    sockets.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
    gc?.();
    const after = process.memoryUsage().heapUsed;
    console.log(
      `idle connections: ${IDLE_CONNECTIONS}; heap ${Math.round(baseline / 1e6)} MB -> ${Math.round(after / 1e6)} MB`,
    );
    expect(after - baseline).toBeLessThan(32 * 1024 * 1024);
  });
});
