import type { BatchStreamEvent } from "@keel/core";
import { addUsd } from "@keel/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, post, startStack, trpcError, type Stack } from "./test-support/stack.ts";

describe("ai.batch and ai.batchStream", () => {
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

  it("answers every item with its own envelope or typed error, in input order, with totals", async () => {
    const result = await stack.client.ai.batch.mutate({
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
    });
    const outcomes = result.items.map((item) =>
      item.ok ? [item.index, true] : [item.index, false, item.error.code, item.error.details.field],
    );
    expect(outcomes).toEqual([
      [0, true],
      [1, false, "UPSTREAM_UNAVAILABLE", undefined],
      [2, false, "BAD_REQUEST", "items.2.generate.model"],
      [3, true],
    ]);
    const [first, , , fourth] = result.items.map((item) => (item.ok ? item.generation : undefined));
    expect(first).toMatchObject({ content: "Paris.", provider: "simulator", cache: "miss" });
    expect(fourth).toMatchObject({ data: { city: "example" }, validation: { valid: true } });
    expect(result.totals).toMatchObject({ items: 4, successes: 2, failures: 2 });
    expect(result.totals.costUsd).toBe(addUsd(first?.costUsd ?? 0, fourth?.costUsd ?? 0));
  });

  it("refuses a batch as a whole only for its own shape (BAD_REQUEST naming the field)", async () => {
    const error = await trpcError(stack.client.ai.batch.mutate({ items: [] }));
    expect(error.data).toMatchObject({ keelCode: "BAD_REQUEST", httpStatus: 400, details: { field: "items" } });
    const tooMany = await trpcError(
      stack.client.ai.batch.mutate({ items: Array.from({ length: 101 }, () => ({ generate: chat("x") })) }),
    );
    expect(tooMany.data).toMatchObject({ keelCode: "BAD_REQUEST", details: { reason: "too-many-items" } });
  });

  it("answers a curl body with {result:{data:{items,totals}}}", async () => {
    const response = await post(
      `${stack.url}/ai.batch`,
      '{"items":[{"generate":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"The capital of France?"}]}},{"generate":{"model":"gpt-4o-mini","messages":[]}}]}',
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      result: {
        data: {
          items: [
            { index: 0, ok: true, generation: { content: "Paris." } },
            { index: 1, ok: false, error: { code: "BAD_REQUEST", details: { field: "items.1.generate.messages" } } },
          ],
          totals: { items: 2, successes: 1, failures: 1 },
        },
      },
    });
  });

  it("streams each item as it finishes, then the totals", async () => {
    const events = await new Promise<BatchStreamEvent[]>((resolve, reject) => {
      const seen: BatchStreamEvent[] = [];
      const subscription = stack.client.ai.batchStream.subscribe(
        { items: [{ generate: chat("slow one") }, { generate: chat("refuse") }, { generate: chat("medium") }] },
        {
          onData(event) {
            seen.push(event);
            if (event.type !== "item") {
              subscription.unsubscribe();
              resolve(seen);
            }
          },
          onError: reject,
        },
      );
    });
    expect(
      events.map((event) => (event.type === "item" ? [event.item.index, event.item.ok, event.completed] : event.type)),
    ).toEqual([[1, false, 1], [2, true, 2], [0, true, 3], "done"]);
    expect(events[3]).toMatchObject({ type: "done", totals: { items: 3, successes: 2, failures: 1 } });
  });
});
