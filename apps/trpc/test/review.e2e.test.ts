import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, startStack, trpcError, type Stack } from "./test-support/stack.ts";

// Each test holds answers through the whole pipeline (safety scanners included): seconds on a loaded machine.
describe("review queue through tRPC", { timeout: 20_000 }, () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      rules: [{ content: "toxic" }],
      config: {
        models: {
          reviewed: {
            targets: ["simulator/gpt-4o-mini"],
            safety: { output: { toxicity: { action: "review" } }, review: { ttlSeconds: 600 } },
          },
        },
      },
    });
  });
  afterAll(() => stack.close());

  const hold = async () => {
    const generation = await stack.client.ai.generate.mutate(chat("Hi", { model: "reviewed", temperature: 0.5 }));
    expect(generation).toMatchObject({ content: "", review: { state: "pending" } });
    return generation.review!.id;
  };

  it("lists pending items, shows one with its findings, and approves, rejects with a reason, or edits", async () => {
    const [first, second, third] = [await hold(), await hold(), await hold()];
    const listed = await stack.client.review.list.query();
    expect(listed.items.map((item) => item.id).sort()).toEqual([first, second, third].sort());
    expect(listed.items[0]).not.toHaveProperty("generation");

    const item = await stack.client.review.get.query({ id: first });
    expect(item).toMatchObject({ id: first, tenant: "default", route: "reviewed", state: "pending" });
    expect(item.detectors).toEqual(["toxicity"]);
    expect(item.safety.output).toContainEqual(expect.objectContaining({ detector: "toxicity", action: "review" }));
    expect(item.generation.content.length).toBeGreaterThan(0);

    expect(await stack.client.review.approve.mutate({ id: first, reviewer: "rita" })).toMatchObject({
      state: "approved",
      decision: { reviewer: "rita" },
    });
    expect(await stack.client.review.reject.mutate({ id: second, reviewer: "sam", reason: "insult" })).toMatchObject({
      state: "rejected",
      decision: { reviewer: "sam", reason: "insult" },
    });
    const edited = await stack.client.review.edit.mutate({ id: third, reviewer: "rita", content: "Thanks!" });
    expect(edited).toMatchObject({ state: "edited", generation: { content: "Thanks!" } });
    expect((await stack.client.review.list.query()).items).toEqual([]);
    expect((await stack.pipeline.review.getDecision("default", third)).content).toBe("Thanks!");
  });

  it("refuses a missing reason, an unknown item and another tenant's item with BAD_REQUEST", async () => {
    const id = await hold();
    const noReason = await trpcError(stack.client.review.reject.mutate({ id, reviewer: "sam", reason: " " }));
    expect(noReason.data).toMatchObject({ keelCode: "BAD_REQUEST", details: { field: "reason" } });
    const unknown = await trpcError(stack.client.review.get.query({ id: "nope" }));
    expect(unknown.data).toMatchObject({ keelCode: "BAD_REQUEST", details: { reason: "review-not-found" } });
    // An item held for another tenant (possible in process) is invisible through the service.
    const other = await stack.pipeline.generate(chat("Hi", { model: "reviewed", temperature: 0.5 }), {
      tenant: "acme",
    });
    const foreign = await trpcError(stack.client.review.get.query({ id: other.review!.id }));
    expect(foreign.data).toMatchObject({ keelCode: "BAD_REQUEST", details: { reason: "review-not-found" } });
    expect((await stack.client.review.list.query()).items.map((item) => item.id)).toEqual([id]);
  });

  it("reports the session: authentication off, the operator of tenant default", async () => {
    expect(await stack.client.session.query()).toEqual({ tenant: "default", role: "admin", authentication: "off" });
  });
});
