import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "graphql-ws";
import type { GraphQLFormattedError } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dataOf,
  GENERATION_FIELDS,
  graphql,
  startStack,
  wsClient,
  type GenerationView,
  type Stack,
} from "./test-support/stack.ts";

/**
 * Human review through GraphQL, with API keys (embedded key store): a caller of tenant acme
 * gets a held answer, acme's reviewer decides it, and the caller receives the decision by
 * poll (reviewStatus) and by subscription (reviewUpdates). Tenant globex sees nothing of it;
 * a caller key is FORBIDDEN from the reviewer operations.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const HELD = `mutation ($input: GenerateInput!) { generate(input: $input) { ${GENERATION_FIELDS} review { id state } } }`;
const STATUS = `query ($id: ID!) { reviewStatus(id: $id) { content review { id state } safety { output { detector kind action } } } }`;
const LIST = `query ($route: String, $detector: String, $olderThanMs: Float) {
  reviewItems(route: $route, detector: $detector, olderThanMs: $olderThanMs) {
    cursor items { id tenant route mode state detectors createdAt expiresAt onExpiry decision { reviewer } }
  }
}`;
const ITEM_FIELDS = `id tenant route mode state detectors createdAt expiresAt onExpiry
  safety { input { scanner detector kind action start end messageIndex } output { scanner detector kind action score start end } }
  request { model messages { role content } documents { id text } temperature }
  generation { content model review { state } }
  decision { reviewer at reason outcome }`;
const ITEM = `query ($id: ID!) { reviewItem(id: $id) { ${ITEM_FIELDS} } }`;
const APPROVE = `mutation ($id: ID!, $reviewer: String!) { approveReview(id: $id, reviewer: $reviewer) { ${ITEM_FIELDS} } }`;
const REJECT = `mutation ($id: ID!, $reviewer: String!, $reason: String!) {
  rejectReview(id: $id, reviewer: $reviewer, reason: $reason) { ${ITEM_FIELDS} }
}`;
const EDIT = `mutation ($id: ID!, $reviewer: String!, $content: String!) {
  editReview(id: $id, reviewer: $reviewer, content: $content) { ${ITEM_FIELDS} }
}`;
const UPDATES = `subscription ($id: ID!) {
  reviewUpdates(id: $id) { type error { code details } generation { content review { id state } } }
}`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;

interface HeldData {
  generate: GenerationView & { review: { id: string; state: string } | null };
}
interface StatusData {
  reviewStatus: { content: string; review: { id: string; state: string } };
}
interface ReviewItemView {
  id: string;
  state: string;
  decision: { reviewer: string; at: number; reason: string | null; outcome: string | null } | null;
  generation: { content: string; model: string; review: { state: string } | null };
  [field: string]: unknown;
}
interface UpdateView {
  type: "STATUS" | "ERROR";
  error: { code: string; details: Record<string, unknown> } | null;
  generation: { content: string; review: { id: string; state: string } } | null;
}

interface Keys {
  admin: string;
  acmeCaller: string;
  acmeReviewer: string;
  globexReviewer: string;
  globexCaller: string;
}

/** Subscribes to reviewUpdates and collects its events until it completes or fails. */
function watchReview(client: Client, id: string, onFirst?: () => void) {
  return new Promise<{ events: UpdateView[]; errors: GraphQLFormattedError[]; completed: boolean }>((resolve) => {
    const outcome = { events: [] as UpdateView[], errors: [] as GraphQLFormattedError[], completed: false };
    client.subscribe<{ reviewUpdates: UpdateView }>(
      { query: UPDATES, variables: { id } },
      {
        next(result) {
          if (result.errors) outcome.errors.push(...result.errors);
          const event = result.data?.reviewUpdates;
          if (!event) return;
          outcome.events.push(event);
          if (outcome.events.length === 1) onFirst?.();
        },
        error(error) {
          if (Array.isArray(error)) outcome.errors.push(...(error as GraphQLFormattedError[]));
          else outcome.errors.push({ message: String(error) });
          resolve(outcome);
        },
        complete() {
          outcome.completed = true;
          resolve(outcome);
        },
      },
    );
  });
}

describe("human review through GraphQL", { timeout: 30_000 }, () => {
  let stack: Stack;
  let dataDir: string;
  const keys = {} as Keys;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "keel-graphql-review-"));
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
    const create = async (input: Record<string, unknown>, key?: string) =>
      dataOf(
        await graphql<{ createApiKey: { key: string } }>({
          url: stack.url,
          query: CREATE_KEY,
          variables: { input },
          ...(key === undefined ? {} : { key }),
        }),
      ).createApiKey.key;
    keys.admin = await create({ tenant: "ops", role: "ADMIN", name: "operator" });
    await sleep(150); // auth.verifyCacheMs: authentication is on once the first key is seen
    keys.acmeCaller = await create({ tenant: "acme", role: "CALLER", name: "bot" }, keys.admin);
    keys.acmeReviewer = await create({ tenant: "acme", role: "REVIEWER", name: "rita" }, keys.admin);
    keys.globexReviewer = await create({ tenant: "globex", role: "REVIEWER", name: "gus" }, keys.admin);
    keys.globexCaller = await create({ tenant: "globex", role: "CALLER", name: "bot" }, keys.admin);
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = <Data>(query: string, variables: Record<string, unknown>, key: string) =>
    graphql<Data>({ url: stack.url, query, variables, key });

  /** A caller's request whose toxic answer the route holds for review. */
  const hold = async (key = keys.acmeCaller) => {
    const calls = stack.simulator.stats().totalCalls;
    const input = {
      model: "reviewed",
      temperature: 0.5,
      messages: [{ role: "USER", content: "Mail ana@example.com" }],
    };
    const generation = dataOf(await call<HeldData>(HELD, { input }, key)).generate;
    expect(stack.simulator.stats().totalCalls).toBe(calls + 1);
    expect(generation.content).toBe("");
    expect(generation.review).toEqual({ id: expect.stringMatching(/^rv_/), state: "PENDING" });
    expect(generation.safety.output).toContainEqual(expect.objectContaining({ kind: "TOXIC", action: "REVIEW" }));
    return generation.review!.id;
  };

  const errorOf = (response: { body?: { errors?: GraphQLFormattedError[] } | undefined }) =>
    response.body?.errors?.[0]?.extensions;

  it("holds the answer, shows the reviewer the item with typed findings, and the caller receives the approval by poll and subscription", async () => {
    const id = await hold();
    const pending = dataOf(await call<StatusData>(STATUS, { id }, keys.acmeCaller)).reviewStatus;
    expect(pending).toMatchObject({ content: "", review: { id, state: "PENDING" } });

    const listed = dataOf(
      await call<{ reviewItems: { items: ReviewItemView[]; cursor: string | null } }>(
        LIST,
        { route: "reviewed", detector: "toxicity" },
        keys.acmeReviewer,
      ),
    ).reviewItems;
    expect(listed.cursor).toBeNull();
    expect(listed.items).toEqual([
      {
        id,
        tenant: "acme",
        route: "reviewed",
        mode: "HOLD",
        state: "PENDING",
        detectors: ["toxicity"],
        createdAt: expect.any(Number),
        expiresAt: expect.any(Number),
        onExpiry: "REJECT",
        decision: null,
      },
    ]);
    const [summary] = listed.items;
    expect((summary!.expiresAt as number) - (summary!.createdAt as number)).toBe(600_000);
    const otherDetector = await call<{ reviewItems: { items: unknown[] } }>(
      LIST,
      { detector: "claims" },
      keys.acmeReviewer,
    );
    expect(dataOf(otherDetector).reviewItems.items).toEqual([]);

    const item = dataOf(await call<{ reviewItem: ReviewItemView }>(ITEM, { id }, keys.acmeReviewer)).reviewItem;
    // The reviewer sees the caller's own text (the model saw a placeholder) and the held answer.
    expect(item.request).toEqual({
      model: "reviewed",
      messages: [{ role: "USER", content: "Mail ana@example.com" }],
      documents: null,
      temperature: 0.5,
    });
    expect(item.safety).toMatchObject({
      input: [
        {
          scanner: "pii-email",
          detector: "pii",
          kind: "EMAIL_ADDRESS",
          action: "REDACT",
          start: 5,
          end: 20,
          messageIndex: 0,
        },
      ],
      output: expect.arrayContaining([
        expect.objectContaining({ detector: "toxicity", kind: "TOXIC", action: "REVIEW", score: expect.any(Number) }),
      ]),
    });
    expect(item.generation.content.length).toBeGreaterThan(0);
    expect(item.generation.review).toBeNull();

    const client = wsClient(stack.wsUrl, keys.acmeCaller);
    try {
      const approving = watchReview(client, id, () => {
        void call(APPROVE, { id, reviewer: "rita" }, keys.acmeReviewer);
      });
      const watched = await approving;
      expect(watched.errors).toEqual([]);
      expect(watched.completed).toBe(true);
      expect(watched.events).toEqual([
        { type: "STATUS", error: null, generation: { content: "", review: { id, state: "PENDING" } } },
        {
          type: "STATUS",
          error: null,
          generation: { content: item.generation.content, review: { id, state: "APPROVED" } },
        },
      ]);
    } finally {
      await client.dispose();
    }
    const decided = dataOf(await call<{ reviewItem: ReviewItemView }>(ITEM, { id }, keys.acmeReviewer)).reviewItem;
    expect(decided.state).toBe("APPROVED");
    expect(decided.decision).toEqual({ reviewer: "rita", at: expect.any(Number), reason: null, outcome: null });
    expect(Math.abs(decided.decision!.at - Date.now())).toBeLessThan(10_000);
    const released = dataOf(await call<StatusData>(STATUS, { id }, keys.acmeCaller)).reviewStatus;
    expect(released).toMatchObject({ content: item.generation.content, review: { id, state: "APPROVED" } });
    expect(
      dataOf(await call<{ reviewItems: { items: unknown[] } }>(LIST, {}, keys.acmeReviewer)).reviewItems.items,
    ).toEqual([]);
    // A second decision is refused: the first one stands.
    expect(errorOf(await call(APPROVE, { id, reviewer: "rita" }, keys.acmeReviewer))).toMatchObject({
      code: "BAD_REQUEST",
      details: { reason: "review-already-decided" },
    });
  });

  it("delivers an edit as the reviewer's text and a rejection as CONTENT_BLOCKED, by poll and by subscription", async () => {
    const edited = await hold();
    const editedItem = dataOf(
      await call<{ editReview: ReviewItemView }>(
        EDIT,
        { id: edited, reviewer: "rita", content: "Thanks!" },
        keys.acmeReviewer,
      ),
    ).editReview;
    expect(editedItem).toMatchObject({
      state: "EDITED",
      generation: { content: "Thanks!" },
      decision: { reviewer: "rita" },
    });
    expect(dataOf(await call<StatusData>(STATUS, { id: edited }, keys.acmeCaller)).reviewStatus).toMatchObject({
      content: "Thanks!",
      review: { id: edited, state: "EDITED" },
    });

    const rejected = await hold();
    const client = wsClient(stack.wsUrl, keys.acmeCaller);
    try {
      const watching = watchReview(client, rejected, () => {
        void call(REJECT, { id: rejected, reviewer: "sam", reason: "insult" }, keys.acmeReviewer);
      });
      const watched = await watching;
      expect(watched.errors).toEqual([]);
      expect(watched.completed).toBe(true);
      expect(watched.events).toEqual([
        { type: "STATUS", error: null, generation: { content: "", review: { id: rejected, state: "PENDING" } } },
        {
          type: "ERROR",
          generation: null,
          error: { code: "CONTENT_BLOCKED", details: { reason: "review-rejected", reviewId: rejected } },
        },
      ]);
      // Subscribing after the decision: the decision at once.
      const late = await watchReview(client, edited);
      expect(late.events.map((event) => [event.type, event.generation?.content])).toEqual([["STATUS", "Thanks!"]]);
    } finally {
      await client.dispose();
    }
    const polled = await call(STATUS, { id: rejected }, keys.acmeCaller);
    expect(polled.body?.data).toBeNull();
    expect(errorOf(polled)).toEqual({
      code: "CONTENT_BLOCKED",
      retryable: false,
      details: { reason: "review-rejected", reviewId: rejected },
    });
    // The reviewer's reason stays in the audit: never in the caller's answer.
    expect(polled.text).not.toContain("insult");
    const audit = dataOf(
      await call<{ reviewItem: ReviewItemView }>(ITEM, { id: rejected }, keys.acmeReviewer),
    ).reviewItem;
    expect(audit.decision).toMatchObject({ reviewer: "sam", reason: "insult" });
  });

  it("keeps a tenant's items from another tenant: not listed, and get, decide, poll and subscribe are review-not-found", async () => {
    const id = await hold();
    const notFound = { code: "BAD_REQUEST", retryable: false, details: { reason: "review-not-found" } };
    expect(
      dataOf(await call<{ reviewItems: { items: unknown[] } }>(LIST, {}, keys.globexReviewer)).reviewItems.items,
    ).toEqual([]);
    expect(errorOf(await call(ITEM, { id }, keys.globexReviewer))).toMatchObject(notFound);
    expect(errorOf(await call(APPROVE, { id, reviewer: "gus" }, keys.globexReviewer))).toMatchObject(notFound);
    expect(errorOf(await call(REJECT, { id, reviewer: "gus", reason: "x" }, keys.globexReviewer))).toMatchObject(
      notFound,
    );
    expect(errorOf(await call(EDIT, { id, reviewer: "gus", content: "x" }, keys.globexReviewer))).toMatchObject(
      notFound,
    );
    expect(errorOf(await call(STATUS, { id }, keys.globexCaller))).toMatchObject(notFound);
    // An unknown id is answered the same way.
    expect(errorOf(await call(ITEM, { id: "rv_nope" }, keys.acmeReviewer))).toMatchObject(notFound);
    const client = wsClient(stack.wsUrl, keys.globexCaller);
    try {
      const watched = await watchReview(client, id);
      expect(watched.events).toEqual([]);
      expect(watched.errors).toHaveLength(1);
      expect(watched.errors[0]?.extensions).toMatchObject(notFound);
    } finally {
      await client.dispose();
    }
    // Still pending for its own tenant.
    const own = dataOf(await call<{ reviewItem: ReviewItemView }>(ITEM, { id }, keys.acmeReviewer)).reviewItem;
    expect(own.state).toBe("PENDING");
  });

  it("refuses the reviewer operations to a caller key with FORBIDDEN, and bad input with BAD_REQUEST naming the field", async () => {
    const id = await hold();
    const forbidden = { code: "FORBIDDEN", retryable: false, details: { reason: "role", required: "reviewer" } };
    for (const [query, variables] of [
      [LIST, {}],
      [ITEM, { id }],
      [APPROVE, { id, reviewer: "bot" }],
      [REJECT, { id, reviewer: "bot", reason: "no" }],
      [EDIT, { id, reviewer: "bot", content: "x" }],
    ] as const) {
      expect(errorOf(await call(query, variables, keys.acmeCaller))).toEqual(forbidden);
    }
    const noReason = await call(REJECT, { id, reviewer: "rita", reason: " " }, keys.acmeReviewer);
    expect(errorOf(noReason)).toMatchObject({ code: "BAD_REQUEST", details: { field: "reason" } });
    const badAge = await call(LIST, { olderThanMs: -1 }, keys.acmeReviewer);
    expect(errorOf(badAge)).toMatchObject({ code: "BAD_REQUEST", details: { field: "olderThanMs" } });
    // None of it decided the item.
    expect(dataOf(await call<StatusData>(STATUS, { id }, keys.acmeCaller)).reviewStatus.review.state).toBe("PENDING");
  });
});
