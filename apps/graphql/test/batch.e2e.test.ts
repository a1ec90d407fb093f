import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, dataOf, GENERATION_FIELDS, graphql, startStack, wsClient, type Stack } from "./test-support/stack.ts";

const ERROR_FIELDS = "code message retryable details";
const ITEM_FIELDS = `index ok error { ${ERROR_FIELDS} } generation { ${GENERATION_FIELDS} }`;
const TOTALS_FIELDS = "items successes failures costUsd latencyMs usage { promptTokens completionTokens totalTokens }";
const BATCH = `mutation Batch($input: BatchInput!) { batch(input: $input) { items { ${ITEM_FIELDS} } totals { ${TOTALS_FIELDS} } } }`;
const BATCH_STREAM = `subscription Stream($input: BatchInput!) {
  batchStream(input: $input) { type completed total item { ${ITEM_FIELDS} } totals { ${TOTALS_FIELDS} } error { ${ERROR_FIELDS} } }
}`;

interface ItemView {
  index: number;
  ok: boolean;
  error: { code: string; message: string; retryable: boolean; details: Record<string, unknown> } | null;
  generation: { content: string; costUsd: number; data: unknown; provider: string; cache: string } | null;
}
interface BatchData {
  batch: { items: ItemView[]; totals: { items: number; successes: number; failures: number; costUsd: number } };
}

describe("batch and batchStream", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [
        { promptIncludes: "capital", reply: "Paris." },
        { promptIncludes: "explode", fault: { type: "status", status: 500 } },
        { promptIncludes: "refuse", fault: { type: "status", status: 400 } },
        { promptIncludes: "slow", latency: { ttftMs: 400 } },
        { promptIncludes: "medium", latency: { ttftMs: 150 } },
      ],
      config: { validation: { jsonSchemaRoutes: ["gpt-4o-mini"] } },
    });
  });
  afterAll(() => stack.close());

  it("answers every item with its own typed envelope or typed error, in input order, with totals", async () => {
    const response = await graphql<BatchData>({
      url: stack.url,
      query: BATCH,
      variables: {
        input: {
          items: [
            { generate: chat("The capital of France?") },
            { generate: chat("explode") },
            { generate: { ...chat("x"), model: "no-such-model" } },
            {
              structured: {
                ...chat("A city as JSON"),
                schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
              },
            },
          ],
        },
      },
    });
    const { batch } = dataOf(response);
    expect(
      batch.items.map((item) => [item.index, item.ok, item.error?.code ?? null, item.error?.details.field ?? null]),
    ).toEqual([
      [0, true, null, null],
      [1, false, "UPSTREAM_UNAVAILABLE", null],
      [2, false, "BAD_REQUEST", "items.2.generate.model"],
      [3, true, null, null],
    ]);
    expect(batch.items[0]?.generation).toMatchObject({ content: "Paris.", provider: "simulator", cache: "MISS" });
    expect(batch.items[3]?.generation).toMatchObject({ data: { city: "example" } });
    expect(batch.totals).toMatchObject({ items: 4, successes: 2, failures: 2 });
  });

  it("refuses a batch as a whole (too many items) and an item that names neither or both kinds", async () => {
    const tooMany = await graphql({
      url: stack.url,
      query: BATCH,
      variables: { input: { items: Array.from({ length: 101 }, () => ({ generate: chat("x") })) } },
    });
    expect(tooMany.body?.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "items", reason: "too-many-items" },
    });
    const both = await graphql({
      url: stack.url,
      query: BATCH,
      variables: { input: { items: [{ generate: chat("x"), structured: { ...chat("x"), schema: {} } }] } },
    });
    expect(both.status).toBe(400);
    expect(both.body?.errors?.[0]?.extensions).toMatchObject({ code: "BAD_REQUEST" });
    expect(both.body?.errors?.[0]?.message).toMatch(
      /exactly one key must be specified for OneOf type "BatchItemInput"/i,
    );
  });

  it("streams each item as it finishes over WebSocket, then the totals", async () => {
    const client = wsClient(stack.wsUrl);
    const events: Array<{ type: string; completed: number | null; item: ItemView | null; totals: unknown }> = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe<{ batchStream: (typeof events)[number] }>(
        {
          query: BATCH_STREAM,
          variables: {
            input: {
              items: [{ generate: chat("slow one") }, { generate: chat("refuse") }, { generate: chat("medium") }],
            },
          },
        },
        {
          next: (result) => {
            if (result.data?.batchStream) events.push(result.data.batchStream);
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await client.dispose();
    expect(
      events.map((event) =>
        event.type === "ITEM" ? [event.item?.index, event.item?.ok, event.completed] : event.type,
      ),
    ).toEqual([[1, false, 1], [2, true, 2], [0, true, 3], "DONE"]);
    expect(events[1]?.item?.error).toBeNull();
    expect(events[0]?.item?.error).toMatchObject({ code: "BAD_REQUEST" });
    expect(events[3]?.totals).toMatchObject({ items: 3, successes: 2, failures: 1 });
  });
});
