/**
 * A frontend's view of the service: a typed client, one generation, one stream.
 *
 *   pnpm start                                      # at the repo root, in another terminal
 *   pnpm --filter @keel/trpc exec tsx examples/client.ts [http://127.0.0.1:3000/trpc]
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import type { AppRouter } from "@keel/trpc";
import { typedStructured } from "@keel/trpc/client";
import { z } from "zod";

const url = process.argv[2] ?? process.env.KEEL_TRPC_URL ?? "http://127.0.0.1:3000/trpc";

const client = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (operation) => operation.type === "subscription",
      // Node 20 has no global EventSource; browsers can leave this option out.
      true: httpSubscriptionLink({ url, EventSource }),
      false: httpBatchLink({ url }),
    }),
  ],
});

const request = {
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Say hello in five words." }],
  temperature: 0,
};

try {
  const generation = await client.ai.generate.mutate(request);
  console.log(`generate: "${generation.content}"`);
  console.log(
    `  model=${generation.model} cache=${generation.cache} attempts=${generation.attempts} tokens=${generation.usage.totalTokens} cost=$${generation.costUsd} latency=${generation.latencyMs}ms`,
  );
} catch (error) {
  // Every failure is typed: branch on data.keelCode, never on the message.
  if (error instanceof TRPCClientError) console.error(`generate failed: ${error.data?.keelCode} ${error.message}`);
  else throw error;
}

process.stdout.write("stream: ");
await new Promise<void>((resolve) => {
  const subscription = client.ai.stream.subscribe(request, {
    onData(event) {
      if (event.type === "delta") process.stdout.write(event.content);
      else if (event.type === "done")
        console.log(`\n  done: ${event.generation.usage.totalTokens} tokens in ${event.generation.latencyMs} ms`);
      else console.log(`\n  error: ${event.error.code} ${event.error.message}`);
    },
    onError(error) {
      console.error(`\n  subscription failed: ${error.message}`);
      subscription.unsubscribe();
      resolve();
    },
    onComplete: resolve,
  });
});

// Structured output with a zod schema: `data` is typed as the schema's output.
const Person = z.object({ name: z.string(), born: z.number().int() });
try {
  const person = await typedStructured(client, {
    ...request,
    messages: [{ role: "user", content: "Ada Lovelace, born 1815, as JSON" }],
    schema: Person,
    name: "person",
  });
  console.log(
    `structured: ${person.data.name} (${person.data.born}), attempts=${person.validation.attempts} repaired=${person.validation.repaired}`,
  );
} catch (error) {
  if (error instanceof TRPCClientError) console.error(`structured failed: ${error.data?.keelCode} ${error.message}`);
  else throw error;
}

const usage = await client.usage.get.query();
console.log(
  `usage today: ${usage.totals.requests} requests, ${usage.totals.totalTokens} tokens, $${usage.totals.costUsd}`,
);
const snapshot = await client.metrics.snapshot.query();
console.log(`last minute: ${snapshot.overall["1m"].requests} requests, p95 ${snapshot.overall["1m"].latencyMs.p95} ms`);
