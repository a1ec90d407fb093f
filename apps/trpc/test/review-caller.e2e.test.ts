import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReviewUpdate } from "@keel/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, createClient, startStack, trpcError, type Stack } from "./test-support/stack.ts";

/**
 * The caller's side of human review through tRPC, with API keys (embedded key store): a
 * caller of tenant acme gets a held answer and receives the decision of acme's reviewer by
 * `review.status` (poll) and `review.watch` (SSE), as GraphQL's reviewStatus and
 * reviewUpdates give it. Tenant globex sees nothing of it; a caller key is FORBIDDEN from
 * the reviewer operations.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Client = ReturnType<typeof createClient>;

function watch(client: Client, id: string, onFirst?: () => void) {
  return new Promise<{ events: ReviewUpdate[]; error?: unknown }>((resolve) => {
    const events: ReviewUpdate[] = [];
    client.review.watch.subscribe(
      { id },
      {
        onData: (event) => {
          events.push(event);
          if (events.length === 1) onFirst?.();
        },
        onError: (error) => resolve({ events, error }),
        onComplete: () => resolve({ events }),
      },
    );
  });
}

describe("the caller's side of human review through tRPC", { timeout: 30_000 }, () => {
  let stack: Stack;
  let dataDir: string;
  let caller: Client;
  let reviewer: Client;
  let otherCaller: Client;
  let otherReviewer: Client;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "keel-trpc-review-"));
    stack = await startStack({
      rules: [{ content: "toxic" }],
      config: {
        dataDir,
        auth: { verifyCacheMs: 100 },
        models: {
          reviewed: {
            targets: ["simulator/gpt-4o-mini"],
            safety: { output: { toxicity: { action: "review" } }, review: { ttlSeconds: 600 } },
          },
        },
      },
    });
    const admin = await createClient(stack.url).admin.keys.create.mutate({ tenant: "ops", role: "admin", name: "ops" });
    await sleep(150); // auth.verifyCacheMs: authentication is on once the first key is seen
    const keyed = async (tenant: string, role: "caller" | "reviewer") =>
      createClient(
        stack.url,
        (await createClient(stack.url, admin.key).admin.keys.create.mutate({ tenant, role, name: role })).key,
      );
    caller = await keyed("acme", "caller");
    reviewer = await keyed("acme", "reviewer");
    otherCaller = await keyed("globex", "caller");
    otherReviewer = await keyed("globex", "reviewer");
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const hold = async () => {
    const generation = await caller.ai.generate.mutate(chat("Hi", { model: "reviewed", temperature: 0.5 }));
    expect(generation).toMatchObject({ content: "", review: { id: expect.stringMatching(/^rv_/), state: "pending" } });
    return generation.review!.id;
  };

  it("polls the held answer and receives the approval over the subscription", async () => {
    const id = await hold();
    expect(await caller.review.status.query({ id })).toMatchObject({ content: "", review: { id, state: "pending" } });
    const held = (await reviewer.review.get.query({ id })).generation.content;
    const watched = await watch(caller, id, () => void reviewer.review.approve.mutate({ id, reviewer: "rita" }));
    expect(watched.error).toBeUndefined();
    expect(
      watched.events.map(
        (event) => event.type === "status" && [event.generation.review?.state, event.generation.content],
      ),
    ).toEqual([
      ["pending", ""],
      ["approved", held],
    ]);
    expect(await caller.review.status.query({ id })).toMatchObject({
      content: held,
      review: { id, state: "approved" },
    });
  });

  it("receives an edit as the reviewer's text and a rejection as CONTENT_BLOCKED", async () => {
    const edited = await hold();
    await reviewer.review.edit.mutate({ id: edited, reviewer: "rita", content: "Thanks!" });
    expect(await caller.review.status.query({ id: edited })).toMatchObject({
      content: "Thanks!",
      review: { state: "edited" },
    });

    const rejected = await hold();
    const watched = await watch(
      caller,
      rejected,
      () => void reviewer.review.reject.mutate({ id: rejected, reviewer: "sam", reason: "insult" }),
    );
    expect(watched.error).toBeUndefined();
    expect(watched.events).toEqual([
      expect.objectContaining({ type: "status" }),
      {
        type: "error",
        error: expect.objectContaining({
          code: "CONTENT_BLOCKED",
          details: { reason: "review-rejected", reviewId: rejected },
        }),
      },
    ]);
    const polled = await trpcError(caller.review.status.query({ id: rejected }));
    expect(polled.data).toMatchObject({
      keelCode: "CONTENT_BLOCKED",
      details: { reason: "review-rejected", reviewId: rejected },
    });
    expect(polled.message).not.toContain("insult");
  });

  it("keeps the item from another tenant and the reviewer operations from a caller key", async () => {
    const id = await hold();
    const notFound = { keelCode: "BAD_REQUEST", details: { reason: "review-not-found" } };
    expect((await trpcError(otherCaller.review.status.query({ id }))).data).toMatchObject(notFound);
    expect((await trpcError(otherReviewer.review.get.query({ id }))).data).toMatchObject(notFound);
    expect((await trpcError(otherReviewer.review.approve.mutate({ id, reviewer: "gus" }))).data).toMatchObject(
      notFound,
    );
    expect((await otherReviewer.review.list.query()).items).toEqual([]);
    const foreignWatch = await watch(otherCaller, id);
    expect(foreignWatch.events).toEqual([]);
    expect((foreignWatch.error as { data?: unknown }).data).toMatchObject(notFound);

    const forbidden = { keelCode: "FORBIDDEN", details: { reason: "role", required: "reviewer" } };
    expect((await trpcError(caller.review.list.query())).data).toMatchObject(forbidden);
    expect((await trpcError(caller.review.approve.mutate({ id, reviewer: "bot" }))).data).toMatchObject(forbidden);
    expect((await caller.review.status.query({ id })).review).toEqual({ id, state: "pending" });
  });
});
