// deploy/haproxy/haproxy.cfg in front of two Keel instances sharing one Redis: the real
// HAProxy on loopback, the real tRPC client (SSE) and graphql-ws (WebSocket) through it.
import { request } from "node:http";
import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import type { StreamEvent } from "@keel/spec";
import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import type { AppRouter } from "@keel/trpc";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { createClient as createWsClient } from "graphql-ws";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startHaproxy, type HaproxyHandle } from "./test-support/haproxy.ts";
import { startKeelInstance, type KeelInstance } from "./test-support/keel-instance.ts";

let simulator: SimulatorHandle;
let redis: RedisServerHandle;
let instances: [KeelInstance, KeelInstance];
let proxy: HaproxyHandle;
beforeAll(async () => {
  [simulator, redis] = await Promise.all([startSimulator({ port: 0 }), startRedisServer()]);
  const start = (name: string) =>
    startKeelInstance({ name, simulatorUrl: simulator.url, redisUrl: redis.url, keyPrefix: "proxy-test:" });
  instances = await Promise.all([start("keel1"), start("keel2")]);
  proxy = await startHaproxy({
    trpc: [instances[0].trpcAddress, instances[1].trpcAddress],
    graphql: [instances[0].graphqlAddress, instances[1].graphqlAddress],
  });
});
afterAll(async () => {
  await proxy?.stop();
  await Promise.allSettled((instances ?? []).map((instance) => instance.stop()));
  await Promise.all([simulator?.close(), redis?.stop()]);
});
beforeEach(() => simulator.reset());

const trpcClient = (url: string) =>
  createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === "subscription",
        true: httpSubscriptionLink({ url, EventSource }),
        // One HTTP request per call (no batching), so the proxy balances each call.
        false: httpLink({ url }),
      }),
    ],
  });

const chat = (content: string) => ({
  model: "chat",
  messages: [{ role: "user" as const, content }],
  temperature: 0,
  cache: { mode: "bypass" as const },
});

/**
 * The status a POST announcing `bytes` of body gets. Only the first 64 KiB are sent: the
 * proxy answers once it has read the headers and a buffer of body and then closes, and a
 * client still writing would meet EPIPE before reading the answer.
 */
function statusOfOversizedPost(url: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": bytes },
    });
    outgoing.on("response", (incoming) => {
      incoming.resume();
      resolve(incoming.statusCode ?? 0);
      outgoing.destroy();
    });
    outgoing.on("error", reject);
    outgoing.write(`{"model":"chat","messages":[{"role":"user","content":"${"x".repeat(64 * 1024)}`);
  });
}

/** Streams through tRPC (SSE) and times the first delta and the end from the subscription's start. */
function timedStream(url: string, content: string) {
  const started = performance.now();
  return new Promise<{ events: StreamEvent[]; firstDeltaMs: number; doneMs: number }>((resolve, reject) => {
    const events: StreamEvent[] = [];
    let firstDeltaMs = Number.NaN;
    const subscription = trpcClient(url).ai.stream.subscribe(chat(content), {
      onData(event) {
        if (event.type === "delta" && events.length === 0) firstDeltaMs = performance.now() - started;
        events.push(event);
        if (event.type === "done" || event.type === "error") {
          subscription.unsubscribe();
          resolve({ events, firstDeltaMs, doneMs: performance.now() - started });
        }
      },
      onError: reject,
    });
  });
}

describe("HAProxy (deploy/haproxy/haproxy.cfg) in front of two instances", () => {
  it("spreads calls round-robin over both instances", async () => {
    const client = trpcClient(proxy.trpcUrl);
    const before = instances.map((instance) => instance.served());
    for (let index = 0; index < 10; index++) await client.ai.generate.mutate(chat(`round robin ${index}`));
    const served = instances.map((instance, index) => instance.served() - before[index]!);
    expect(served).toEqual([5, 5]);
    expect(simulator.stats().calls["gpt-4o-mini"]).toBe(10);
  });

  it("passes a tRPC stream (SSE) through chunk by chunk, without buffering it", async () => {
    simulator.setRules([{ latency: { ttftMs: 50, perTokenMs: 40 } }]);
    const direct = await timedStream(`${instances[0].trpc.url}/trpc`, "Tell a short story");
    const proxied = await timedStream(proxy.trpcUrl, "Tell a short story");
    const deltas = proxied.events.filter((event) => event.type === "delta");
    expect(deltas.length).toBeGreaterThan(5);
    expect(proxied.events.at(-1)?.type).toBe("done");
    // The first chunk arrives long before the last one: nothing held the stream back.
    expect(proxied.doneMs - proxied.firstDeltaMs).toBeGreaterThan(40 * (deltas.length - 2));
    // The proxy adds little to the time to first chunk.
    expect(proxied.firstDeltaMs).toBeLessThan(direct.firstDeltaMs + 250);
    console.info(
      `time to first chunk: ${Math.round(direct.firstDeltaMs)} ms direct, ${Math.round(proxied.firstDeltaMs)} ms ` +
        `through HAProxy; stream end ${Math.round(proxied.doneMs)} ms; ${deltas.length} chunks`,
    );
  });

  it("upgrades GraphQL subscriptions to WebSocket and streams them chunk by chunk", async () => {
    simulator.setRules([{ latency: { ttftMs: 50, perTokenMs: 40 } }]);
    const client = createWsClient({
      url: proxy.graphqlUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const started = performance.now();
    const arrivals: { type: string; atMs: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ generateStream: { type: string } }>(
        {
          query: "subscription S($input: GenerateInput!) { generateStream(input: $input) { type content } }",
          variables: { input: { model: "chat", messages: [{ role: "USER", content: "Tell a short story" }] } },
        },
        {
          next: (result) => {
            const type = result.data?.generateStream.type;
            if (type) arrivals.push({ type, atMs: performance.now() - started });
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await client.dispose();
    const deltas = arrivals.filter((arrival) => arrival.type === "DELTA");
    expect(deltas.length).toBeGreaterThan(5);
    expect(arrivals.at(-1)?.type).toBe("DONE");
    expect(arrivals.at(-1)!.atMs - deltas[0]!.atMs).toBeGreaterThan(40 * (deltas.length - 2));
  });

  it("refuses a body over Keel's 1 MiB bound with 413 at the proxy; neither instance sees it", async () => {
    const before = instances.map((instance) => instance.served());
    expect(await statusOfOversizedPost(`${proxy.trpcUrl}/ai.generate`, 1_100_000)).toBe(413);
    expect(instances.map((instance) => instance.served())).toEqual(before);
  });

  it("takes an instance out on SIGTERM-style shutdown under load with 0 failed calls", async () => {
    simulator.setRules([{ latency: { ttftMs: 30 } }]);
    const client = trpcClient(proxy.trpcUrl);
    const failures: string[] = [];
    let completed = 0;
    let running = true;
    const worker = async (id: number) => {
      for (let index = 0; running; index++) {
        try {
          await client.ai.generate.mutate(chat(`load ${id}-${index}`));
          completed++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = [1, 2, 3, 4].map(worker);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const [leaving, staying] = instances;
    const stopping = leaving.stop(); // what the process does on SIGTERM: drain, then close
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stayingBefore = staying.served();
    await new Promise((resolve) => setTimeout(resolve, 500));
    running = false;
    await Promise.all([...workers, stopping]);
    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThan(20);
    // Once it left, the other instance serves everything.
    expect(staying.served()).toBeGreaterThan(stayingBefore);
    expect((await fetch(`${leaving.trpc.url}/readyz`).catch(() => undefined))?.status).toBeUndefined();
  });
});
