import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startFuzzStack, type FuzzStack } from "./test-support/fuzz-stack.ts";
import { exchange, violation } from "./test-support/outcome.ts";
import { count, fuzzOptions, printTally, runs } from "./test-support/settings.ts";

/**
 * Arbitrary GraphQL documents, over HTTP and over graphql-ws: random token soup, and
 * grammatical documents built from the schema's own names (deep nesting, aliases,
 * fragments spreading fragments, directives, variables). Each ends in data or typed
 * errors within its deadline; none is INTERNAL; the limits hold on both transports.
 */

let stack: FuzzStack;
const startedAt = Date.now();
beforeAll(async () => {
  stack = await startFuzzStack();
});
afterAll(async () => {
  await stack.close();
  printTally("documents", startedAt);
});

const NAMES = [
  "health",
  "status",
  "ready",
  "checks",
  "name",
  "ok",
  "detail",
  "usage",
  "totals",
  "requests",
  "days",
  "metricsSnapshot",
  "at",
  "breakers",
  "target",
  "state",
  "generate",
  "embed",
  "structured",
  "generateStream",
  "__typename",
  "__schema",
  "__type",
  "types",
  "fields",
  "nope",
];
const name = fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,8}$/));
const argument = fc.oneof(
  fc.constant(""),
  fc.constant('(input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "hi" }] })'),
  fc.constant("(from: 1, to: null)"),
  fc.constant("(model: $model)"),
  fc.string({ maxLength: 30 }).map((text) => `(input: ${JSON.stringify(text)})`),
);

/** A selection set, as text: fields with optional aliases, arguments, nesting and spreads. */
const selection: fc.Arbitrary<string> = fc.letrec<{ set: string; field: string }>((tie) => ({
  set: fc
    .array(
      fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        tie("field"),
        fc.constantFrom("...F0", "...F1", "... on Query { health { status } }"),
      ),
      {
        minLength: 1,
        maxLength: 5,
      },
    )
    .map((fields) => `{ ${fields.join(" ")} }`),
  field: fc
    .tuple(
      fc.option(name, { nil: undefined }),
      name,
      argument,
      fc.option(tie("set"), { nil: undefined, depthSize: "small" }),
    )
    .map(([alias, field, args, inner]) => `${alias ? `${alias}: ` : ""}${field}${args} ${inner ?? ""}`),
})).set;

const operation = fc
  .tuple(
    fc.constantFrom(
      "",
      "query",
      "mutation",
      "subscription",
      "query Q($model: String)",
      "query Q($x: Int!) @skip(if: true)",
    ),
    selection,
    fc.array(
      fc.tuple(fc.constantFrom("F0", "F1", "F2"), fc.constantFrom("Query", "Health", "Mutation", "Nope"), selection),
      {
        maxLength: 3,
      },
    ),
  )
  .map(([head, set, fragments]) =>
    [`${head} ${set}`, ...fragments.map(([fragment, type, body]) => `fragment ${fragment} on ${type} ${body}`)].join(
      "\n",
    ),
  );

const TOKENS = [
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ":",
  "...",
  "$",
  "@",
  "!",
  "=",
  "|",
  "&",
  '"',
  '"""',
  "#",
  ",",
  "query",
  "on",
  "fragment",
];
const soup = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), name, fc.string({ maxLength: 5 })), { maxLength: 60 })
  .map((parts) => parts.join(" "));

const document = fc.oneof(operation, soup, fc.string({ maxLength: 200 }));

const post = (query: string) =>
  exchange(stack.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables: { model: "gpt-4o-mini" } }),
  });

/** One operation over graphql-ws: the messages the server sent back until it completed or closed. */
function overWebSocket(query: string): Promise<{ messages: Array<Record<string, unknown>>; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(stack.graphqlUrl.replace(/^http/, "ws"), "graphql-transport-ws");
    const messages: Array<Record<string, unknown>> = [];
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no end within the deadline for ${query.slice(0, 200)}`));
    }, 8_000);
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === "connection_ack") {
        socket.send(
          JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables: { model: "gpt-4o-mini" } } }),
        );
        return;
      }
      messages.push(message);
      if (message.type === "complete" || message.type === "error") {
        clearTimeout(timer);
        socket.close();
        resolve({ messages });
      }
    });
    socket.on("close", (code) => {
      clearTimeout(timer);
      resolve({ messages, closeCode: code });
    });
    socket.on("error", () => {});
  });
}

describe("arbitrary GraphQL documents", () => {
  it("over HTTP: data or typed errors, never INTERNAL", async () => {
    await fc.assert(
      fc.asyncProperty(document, async (query) => {
        count("graphql document over HTTP");
        expect(violation("graphql", await post(query))).toBeUndefined();
      }),
      fuzzOptions(runs(80)),
    );
  });

  it("over WebSocket: typed errors or results, never INTERNAL, and the socket is not closed on the caller", async () => {
    await fc.assert(
      fc.asyncProperty(document, async (query) => {
        count("graphql document over WebSocket");
        const outcome = await overWebSocket(query);
        const text = JSON.stringify(outcome.messages);
        expect(text).not.toContain('"INTERNAL"');
        // 4400 (bad message) is graphql-ws's answer to an unreadable subscribe; anything else is ours to explain.
        if (outcome.closeCode !== undefined) expect([1000, 1005, 4400]).toContain(outcome.closeCode);
        for (const message of outcome.messages) {
          if (message.type !== "error") continue;
          for (const error of message.payload as Array<{ extensions?: { code?: string } }>)
            expect(typeof error.extensions?.code).toBe("string");
        }
      }),
      fuzzOptions(runs(30)),
    );
  });
});
