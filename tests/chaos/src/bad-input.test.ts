import { describe, expect, it } from "vitest";
import { chat } from "./test-support/chaos-config.ts";
import { startChaos } from "./test-support/chaos-stack.ts";
import { errorOf } from "./test-support/outcomes.ts";
import { SERVICE_KINDS, type ChatInput } from "./test-support/service-adapter.ts";

/** Requests refused before any upstream call, with the field each one must name. */
const BAD_REQUESTS: Array<{ name: string; input: ChatInput; field: string; hint?: string }> = [
  { name: "an unknown model", input: chat("hi", { model: "gpt-9-ultra" }), field: "model" },
  { name: "a temperature out of range", input: chat("hi", { temperature: 5 }), field: "temperature" },
  { name: "no messages", input: { model: "chat", messages: [] }, field: "messages" },
  {
    name: "a message content of the wrong type",
    input: { model: "chat", messages: [{ role: "user", content: 7 }] },
    field: "messages.0.content",
  },
  {
    // tRPC said only `(input): Unrecognized key` while GraphQL named the field: both name it and hint alike.
    name: "a misspelt field",
    input: chat("hi", { temprature: 0 }),
    field: "temprature",
    hint: 'did you mean "temperature"?',
  },
];

describe.each(SERVICE_KINDS)("bad input through %s", (kind) => {
  it.each(BAD_REQUESTS)(
    "refuses $name with BAD_REQUEST naming the field, in generate and stream",
    async ({ input, field, hint }) => {
      const stack = await startChaos(kind);
      const error = errorOf(await stack.service.generate(input));
      expect(error).toMatchObject({ code: "BAD_REQUEST", retryable: false, details: { field } });
      expect(error.message).toContain(field);
      expect(error.details.hint).toBe(hint);

      // Input that fails the schema refuses the operation; a well-formed request for an unknown
      // model opens the stream and gets one error event. Either way: no delta, the same typed error.
      const streamed = await stack.service.stream(input);
      const refusal =
        streamed.rejected ??
        (streamed.events.length === 1 && streamed.events[0]?.type === "error" ? streamed.events[0].error : undefined);
      expect(refusal, JSON.stringify(streamed.events)).toMatchObject({ code: "BAD_REQUEST", details: { field } });
      expect(streamed.events.filter((event) => event.type !== "error")).toEqual([]);
      expect(stack.simulator.stats().totalCalls).toBe(0);
    },
  );
});
