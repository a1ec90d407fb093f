import type { SimulatorFault, SimulatorRule } from "@keel/simulator";
import { appendFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startFuzzStack, type FuzzStack } from "./test-support/fuzz-stack.ts";
import { DEADLINE_MS, exchange, violation } from "./test-support/outcome.ts";
import { count, fuzzOptions, printTally, runs } from "./test-support/settings.ts";

/**
 * Malformed upstream answers and SSE from the simulator: every fault it can script, with
 * arbitrary parameters, on either target of a two-target route, for a share of the calls.
 * Through both services, a generation ends in an envelope or a typed error within its
 * deadline, and a stream in exactly one done or error event; never INTERNAL.
 */

let stack: FuzzStack;
const startedAt = Date.now();
beforeAll(async () => {
  stack = await startFuzzStack();
});
afterAll(async () => {
  await stack.close();
  printTally("upstream", startedAt);
});

const fault: fc.Arbitrary<SimulatorFault> = fc.oneof(
  fc.record({
    type: fc.constant("status" as const),
    status: fc.integer({ min: 400, max: 599 }),
    message: fc.string({ maxLength: 80 }),
    retryAfterSeconds: fc.integer({ min: 0, max: 2 }),
  }),
  fc.constant({ type: "hang" as const }),
  fc.constant({ type: "reset" as const }),
  fc.record({ type: fc.constant("stream-stall" as const), afterChunks: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ type: fc.constant("stream-die" as const), afterChunks: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ type: fc.constant("trickle" as const), chunkDelayMs: fc.integer({ min: 0, max: 150 }) }),
  fc.record({
    type: fc.constant("malformed" as const),
    form: fc.constantFrom(
      "truncated",
      "invalid-json",
      "wrong-content-type",
      "empty-body",
      "unknown-shape",
      "no-blank-line",
    ),
  }),
  fc.record({
    type: fc.constant("malformed" as const),
    form: fc.constant("oversized" as const),
    bytes: fc.integer({ min: 1, max: 3_000_000 }),
  }),
);

const rules: fc.Arbitrary<SimulatorRule[]> = fc.array(
  fc.record(
    {
      model: fc.constantFrom("gpt-4o", "gpt-4o-mini"),
      fault,
      times: fc.integer({ min: 1, max: 3 }),
      after: fc.integer({ min: 0, max: 1 }),
    },
    { requiredKeys: ["fault"] },
  ),
  { minLength: 1, maxLength: 3 },
);

/** The route: "chat" falls back from gpt-4o to gpt-4o-mini; "gpt-4o-mini" has one target. */
const route = fc.constantFrom("chat", "gpt-4o-mini");

const request = (model: string, content: string) => ({
  model,
  messages: [{ role: "user", content }],
  temperature: 0,
  cache: { mode: "bypass" },
});

/** A tRPC subscription over SSE, read to its end: the Keel events it carried. */
async function trpcStream(input: unknown): Promise<{ types: string[]; text: string; elapsedMs: number }> {
  const answer = await exchange(`${stack.trpcUrl}/ai.stream?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { accept: "text/event-stream" },
  });
  const types = [...answer.text.matchAll(/"type":"(delta|done|error)"/g)].map((match) => match[1] as string);
  return { types, text: answer.text, elapsedMs: answer.elapsedMs };
}

/** generateStream over graphql-ws, to its end: the event types received. */
function graphqlStream(input: unknown): Promise<{ types: string[]; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(stack.graphqlUrl.replace(/^http/, "ws"), "graphql-transport-ws");
    const types: string[] = [];
    let text = "";
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error("the stream did not end within the deadline"));
    }, DEADLINE_MS);
    const query =
      "subscription ($input: GenerateInput!) { generateStream(input: $input) { type content error { code } } }";
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.on("message", (data) => {
      text += String(data);
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { data?: { generateStream?: { type: string } } };
      };
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables: { input } } }));
      } else if (message.type === "next" && message.payload?.data?.generateStream) {
        types.push(message.payload.data.generateStream.type);
      } else if (message.type === "complete" || message.type === "error") {
        clearTimeout(timer);
        socket.close();
        resolve({ types, text });
      }
    });
    socket.on("error", () => {});
  });
}

const GENERATE = "mutation ($input: GenerateInput!) { generate(input: $input) { id content model cache } }";
const graphqlInput = (input: ReturnType<typeof request>) => ({
  ...input,
  messages: input.messages.map((message) => ({ ...message, role: "USER" })),
  cache: { mode: "BYPASS" },
});

describe("malformed upstream answers and SSE", () => {
  it("generate through both services: an envelope or a typed error within the deadline", async () => {
    await fc.assert(
      fc.asyncProperty(rules, route, fc.string({ maxLength: 30 }), async (scripted, model, content) => {
        count("upstream fault, generate x2 services");
        if (process.env.KEEL_FUZZ_TRACE)
          appendFileSync(process.env.KEEL_FUZZ_TRACE, `generate ${JSON.stringify(scripted)} ${model}\n`);
        stack.simulator.setRules(scripted);
        const input = request(model, `generate ${content}`);
        const trpc = await exchange(`${stack.trpcUrl}/ai.generate`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(input),
        });
        expect(violation("trpc", trpc)).toBeUndefined();
        stack.simulator.setRules(scripted);
        const graphql = await exchange(stack.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: GENERATE, variables: { input: graphqlInput(input) } }),
        });
        expect(violation("graphql", graphql)).toBeUndefined();
      }),
      fuzzOptions(runs(14)),
    );
  });

  it("streams through both services: exactly one done or error, last; never INTERNAL", async () => {
    await fc.assert(
      fc.asyncProperty(rules, route, fc.string({ maxLength: 30 }), async (scripted, model, content) => {
        count("upstream fault, stream x2 services");
        if (process.env.KEEL_FUZZ_TRACE)
          appendFileSync(process.env.KEEL_FUZZ_TRACE, `stream ${JSON.stringify(scripted)} ${model}\n`);
        const input = request(model, `stream ${content}`);
        stack.simulator.setRules(scripted);
        const trpc = await trpcStream(input);
        expect(trpc.elapsedMs).toBeLessThan(DEADLINE_MS);
        expect(trpc.types.filter((type) => type !== "delta")).toHaveLength(1);
        expect(trpc.types.at(-1)).toMatch(/^(done|error)$/);
        expect(trpc.text).not.toContain('"INTERNAL"');
        stack.simulator.setRules(scripted);
        const graphql = await graphqlStream(graphqlInput(input));
        expect(graphql.types.filter((type) => type !== "DELTA")).toHaveLength(1);
        expect(graphql.types.at(-1)).toMatch(/^(DONE|ERROR)$/);
        expect(graphql.text).not.toContain('"INTERNAL"');
      }),
      fuzzOptions(runs(10)),
    );
  });

  it("leaves no upstream call in flight", async () => {
    stack.simulator.setRules([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.simulator.stats().inFlight).toBe(0);
  });
});
