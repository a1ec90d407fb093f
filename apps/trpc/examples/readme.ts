import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource"; // Node 20 has no global EventSource; browsers omit this
import type { AppRouter } from "@keel/trpc";
import { typedStructured } from "@keel/trpc/client";
import { z } from "zod";

// Keel running (`pnpm start` at the repo root), or KEEL_TRPC_URL.
const url = process.env.KEEL_TRPC_URL ?? "http://127.0.0.1:3000/trpc";
const client = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (operation) => operation.type === "subscription",
      true: httpSubscriptionLink({ url, EventSource }),
      false: httpBatchLink({ url }),
    }),
  ],
});

const request = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "Hi" }] };
try {
  const generation = await client.ai.generate.mutate(request);
  console.log(generation.content, generation.usage.totalTokens, generation.costUsd);
} catch (error) {
  if (error instanceof TRPCClientError) console.error(error.data?.keelCode, error.message);
}

// Structured output with a zod schema: `data` is typed as the schema's output.
const City = z.object({ city: z.string(), population: z.number().int() });
const city = await typedStructured(client, { ...request, schema: City, name: "city" });
console.log(city.data.population); // a number

await new Promise<void>((resolve) => {
  client.ai.stream.subscribe(request, {
    onData(event) {
      if (event.type === "delta") process.stdout.write(event.content);
      else if (event.type === "done") console.log("\n", event.generation.latencyMs, "ms");
      else console.error(event.error.code, event.error.message);
    },
    onError: () => resolve(),
    onComplete: resolve,
  });
});
