import {
  buildSchema,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  parse,
  subscribe,
  validate,
} from "graphql";
import { describe, expect, it } from "vitest";
import { createSchema } from "../schema.ts";
import { GENERATION_FIELDS } from "../../test/test-support/stack.ts";
import { compileEventPlan } from "./event-plan.ts";
import { passEventThrough } from "./pass-event-through.ts";
import { createPlannedSubscribe } from "./planned-subscribe.ts";

const plannedSubscribe = createPlannedSubscribe();

const schema = createSchema();

const generation = {
  id: "gen_1",
  content: "one two",
  model: "gpt-4o-mini",
  provider: "simulator",
  cache: "miss",
  fallback: {
    failed: [{ target: "a/b", code: "UPSTREAM_UNAVAILABLE", message: "slow" }],
    answeredBy: "simulator/gpt-4o-mini",
  },
  attempts: 2,
  usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, estimated: false },
  costUsd: 0.00001,
  latencyMs: 12.5,
  finishReason: "stop",
  safety: { input: [{ scanner: "pii", kind: "email", action: "redact", score: 0.9 }], output: [] },
  validation: { valid: true, attempts: 1, repaired: false, history: [{ attempt: 1, repaired: false, errors: [] }] },
  data: { nested: [1, "two", null, { deep: true }] },
  toolCalls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }],
};

/** Events as core's pipeline emits them, and ones execute has to refuse. */
const events = {
  delta: { type: "delta", content: "one " },
  done: { type: "done", generation },
  error: {
    type: "error",
    error: { code: "UPSTREAM_UNAVAILABLE", message: "gone", retryable: true, details: { attempt: 2 } },
  },
  numberContent: { type: "delta", content: 42 },
  doneWithoutValidation: { type: "done", generation: { ...generation, validation: null, toolCalls: null } },
};
const refused = {
  unknownType: { type: "weird", content: "x" },
  missingType: { content: "x" },
  nullInList: { type: "done", generation: { ...generation, safety: { input: [null], output: [] } } },
  badEnumDeep: { type: "done", generation: { ...generation, cache: "sideways" } },
  functionContent: { type: "delta", content: () => "called" },
  notAList: { type: "done", generation: { ...generation, toolCalls: "nope" } },
  missingCode: { type: "error", error: { message: "no code", retryable: false } },
};

const input = `input: { model: "gpt-4o-mini", messages: [{ role: USER, content: "hi" }] }`;
const documents: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  bench: { query: `subscription { generateStream(${input}) { type content error { code } } }` },
  full: {
    query: `subscription { generateStream(${input}) { type content error { code message retryable details } generation { ${GENERATION_FIELDS} } } }`,
  },
  aliases: {
    query: `subscription { stream: generateStream(${input}) { kind: type text: content again: type error { why: message code } } }`,
  },
  fragments: {
    query: `subscription { generateStream(${input}) { ...Head ... on StreamEvent { content error { code } } error { message } ...Head } }
      fragment Head on StreamEvent { type generation { ...Gen } }
      fragment Gen on Generation { id usage { totalTokens } safety { input { kind action } } }`,
  },
  otherRoot: { query: `subscription { jobUpdates(id: "job_1") { id } }` },
  typenameInside: {
    query: `subscription { generateStream(${input}) { __typename type generation { __typename usage { __typename t: totalTokens } } } }`,
  },
  directives: {
    query: `subscription Stream($withContent: Boolean!, $skipError: Boolean = false) {
      generateStream(${input}) { type content @include(if: $withContent) error @skip(if: $skipError) { code }
        generation @skip(if: true) { id } ... @include(if: false) { content } } }`,
    variables: { withContent: true },
  },
  directivesOff: {
    query: `subscription Stream($withContent: Boolean!, $skipError: Boolean = false) {
      generateStream(${input}) { type content @include(if: $withContent) error @skip(if: $skipError) { code } } }`,
    variables: { withContent: false, skipError: true },
  },
};

function argsOf(name: string, rootValue: unknown): ExecutionArgs {
  const entry = documents[name];
  if (!entry) throw new Error(`no document ${name}`);
  const document = parse(entry.query);
  expect(validate(schema, document)).toEqual([]);
  return { schema, document, rootValue, variableValues: entry.variables ?? null };
}

/** What graphql-js's subscribe gives for one event (mapSourceToResponse: execute with the event as root). */
function executed(args: ExecutionArgs): ExecutionResult {
  return execute(args) as ExecutionResult;
}

/** Results compared as they go on the wire and as values (error objects by their JSON). */
function comparable(result: ExecutionResult) {
  return JSON.stringify({ data: result.data, errors: result.errors?.map((error) => error.toJSON()) });
}

describe("event plans (generateStream's events without execute)", () => {
  for (const name of Object.keys(documents)) {
    if (name === "otherRoot") continue;
    for (const [eventName, event] of Object.entries(events)) {
      it(`${name} / ${eventName}: the plan's result is execute's`, () => {
        const args = argsOf(name, event);
        const plan = compileEventPlan(args);
        expect(plan).toBeDefined();
        const planned = plan?.(event);
        const expected = executed(args);
        expect(expected.errors).toBeUndefined();
        expect(planned).toBeDefined();
        expect(comparable(planned as ExecutionResult)).toBe(comparable(expected));
        expect(planned).toStrictEqual(expected);
      });
    }
    for (const [eventName, event] of Object.entries(refused)) {
      it(`${name} / ${eventName}: the plan declines when execute would not give plain data`, () => {
        const args = argsOf(name, event);
        const planned = compileEventPlan(args)?.(event);
        const expected = executed(args);
        // Not every selection reaches the bad value. Where execute answers with errors the plan must
        // decline (execute's result then goes out); where the plan answers, it is execute's data.
        if (expected.errors) expect(planned).toBeUndefined();
        else if (planned !== undefined) expect(comparable(planned)).toBe(comparable(expected));
      });
    }
  }

  it("declines exactly the events execute answers with errors (the full selection)", () => {
    for (const [eventName, event] of Object.entries(refused)) {
      const args = argsOf("full", event);
      const expected = executed(args);
      const planned = compileEventPlan(args)?.(event);
      if (eventName === "functionContent") {
        // execute calls a function-valued property; the plan leaves that to execute.
        expect(planned).toBeUndefined();
        expect(expected.errors).toBeUndefined();
        continue;
      }
      expect(expected.errors?.length).toBeGreaterThan(0);
      expect(planned).toBeUndefined();
    }
  });

  it("a subscription whose root resolver is its own gets no plan: execute answers", () => {
    const ownResolver = streamSchema((event) => event);
    const document = parse("subscription { events { n } }");
    expect(compileEventPlan({ schema: ownResolver, document, rootValue: { n: 1 } })).toBeUndefined();
    // jobUpdates passes its events through, so its selection gets a plan (other-subscription-plans.test.ts).
    expect(compileEventPlan(argsOf("otherRoot", { id: "job_1" }))).toBeDefined();
  });

  it("variables that do not coerce get no plan", () => {
    const args = { ...argsOf("directives", events.delta), variableValues: { withContent: "yes" } };
    expect(compileEventPlan(args)).toBeUndefined();
  });
});

/** A stream field on a small schema of its own: the source is the test's generator. */
function streamSchema(resolve: (event: unknown) => unknown): GraphQLSchema {
  const built = buildSchema(`
    type Query { ok: Boolean }
    type Event { n: Int! label: String }
    type Subscription { events: Event! }
  `);
  const field = built.getSubscriptionType()?.getFields().events;
  if (!field) throw new Error("no events field");
  field.resolve = resolve;
  return built;
}

async function* source(log: string[], failAt?: number) {
  try {
    for (let n = 1; n <= 4; n += 1) {
      if (n === failAt) throw new Error(`source failed at ${n}`);
      yield { n, label: n === 3 ? null : `event ${n}` };
    }
  } finally {
    log.push("source closed");
  }
}

async function drain(iterator: AsyncIterator<ExecutionResult>, limit = 10): Promise<unknown[]> {
  const seen: unknown[] = [];
  try {
    for (let index = 0; index < limit; index += 1) {
      const next = await iterator.next();
      if (next.done) break;
      seen.push(next.value);
    }
  } catch (error) {
    seen.push({ thrown: (error as Error).message });
  }
  return seen;
}

describe("plannedSubscribe against graphql-js's subscribe", () => {
  for (const [label, resolve] of [
    ["planned root (passEventThrough)", passEventThrough],
    ["root with its own resolver (no plan)", (event: unknown) => event],
  ] as const) {
    it(`${label}: the same results, the same end, the source closed`, async () => {
      const events = streamSchema(resolve as (event: unknown) => unknown);
      const document = parse("subscription { events { n label alias: n __typename } }");
      for (const failAt of [undefined, 2]) {
        const logs: [string[], string[]] = [[], []];
        const ours = (await plannedSubscribe({
          schema: events,
          document,
          rootValue: { events: () => source(logs[0], failAt) },
        })) as AsyncGenerator<ExecutionResult>;
        const theirs = (await subscribe({
          schema: events,
          document,
          rootValue: { events: () => source(logs[1], failAt) },
        })) as AsyncGenerator<ExecutionResult>;
        const [ourResults, theirResults] = [await drain(ours), await drain(theirs)];
        expect(JSON.stringify(ourResults)).toBe(JSON.stringify(theirResults));
        expect(ourResults.length).toBe(failAt ? 2 : 4);
        expect(logs[0]).toEqual(logs[1]);
        expect(logs[0]).toEqual(["source closed"]);
      }
    });
  }

  it("return() mid-stream closes the source, as subscribe's does", async () => {
    const events = streamSchema(passEventThrough);
    const log: string[] = [];
    const stream = (await plannedSubscribe({
      schema: events,
      document: parse("subscription { events { n } }"),
      rootValue: { events: () => source(log) },
    })) as AsyncGenerator<ExecutionResult>;
    expect(await stream.next()).toEqual({ value: { data: { events: { n: 1 } } }, done: false });
    expect(await stream.return(undefined)).toEqual({ value: undefined, done: true });
    expect(log).toEqual(["source closed"]);
  });

  it("a field that fails in the source stream's setup is the same error result", async () => {
    const events = streamSchema(passEventThrough);
    const document = parse("subscription { events { n } }");
    const failing = {
      events: () => {
        throw new Error("cannot open");
      },
    };
    const ours = await plannedSubscribe({ schema: events, document, rootValue: failing });
    const theirs = await subscribe({ schema: events, document, rootValue: failing });
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
    expect(JSON.stringify(ours)).toContain("cannot open");
  });
});

describe("event plans kept per document", () => {
  it("a plan that reads a variable (@include) is not reused for other variables of the same document", async () => {
    const events = streamSchema(passEventThrough);
    const document = parse("subscription S($withLabel: Boolean!) { events { n label @include(if: $withLabel) } }");
    const reused = createPlannedSubscribe();
    for (const withLabel of [true, false, true]) {
      const [oursLog, theirsLog]: [string[], string[]] = [[], []];
      const ours = (await reused({
        schema: events,
        document,
        variableValues: { withLabel },
        rootValue: { events: () => source(oursLog) },
      })) as AsyncGenerator<ExecutionResult>;
      const theirs = (await subscribe({
        schema: events,
        document,
        variableValues: { withLabel },
        rootValue: { events: () => source(theirsLog) },
      })) as AsyncGenerator<ExecutionResult>;
      const [ourResults, theirResults] = [await drain(ours), await drain(theirs)];
      expect(JSON.stringify(ourResults)).toBe(JSON.stringify(theirResults));
      expect(JSON.stringify(ourResults).includes("label")).toBe(withLabel);
    }
  });

  it("the same document with other variables that no directive reads reuses its plan and stays exact", async () => {
    const events = streamSchema(passEventThrough);
    const document = parse("subscription S($unused: Int) { events { n ...L } } fragment L on Event { label }");
    const reused = createPlannedSubscribe();
    for (const unused of [1, 2]) {
      const ours = (await reused({
        schema: events,
        document,
        variableValues: { unused },
        rootValue: { events: () => source([]) },
      })) as AsyncGenerator<ExecutionResult>;
      const theirs = (await subscribe({
        schema: events,
        document,
        variableValues: { unused },
        rootValue: { events: () => source([]) },
      })) as AsyncGenerator<ExecutionResult>;
      expect(JSON.stringify(await drain(ours))).toBe(JSON.stringify(await drain(theirs)));
    }
  });
});
