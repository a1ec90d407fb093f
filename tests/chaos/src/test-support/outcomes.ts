import type { Generation } from "@keel/spec";
import type { ErrorView, GenerateOutcome, StreamEventView, StreamOutcome } from "./service-adapter.ts";

/** The envelope of a call that must have succeeded; a typed error fails the test with its code. */
export function envelopeOf(outcome: GenerateOutcome): Generation {
  if (outcome.kind === "envelope") return outcome.envelope;
  throw new Error(`expected an envelope, got ${outcome.error.code}: ${outcome.error.message}`);
}

/** The typed error of a call that must have failed. */
export function errorOf(outcome: GenerateOutcome): ErrorView {
  if (outcome.kind === "error") return outcome.error;
  throw new Error(`expected an error, got an envelope answered by ${outcome.envelope.fallback.answeredBy}`);
}

export const deltasOf = (events: StreamEventView[]) =>
  events.flatMap((event) => (event.type === "delta" ? [event.content] : []));

/** The one final event of a stream (done or error), checking there is exactly one and it is last. */
export function finalEventOf(outcome: StreamOutcome): Exclude<StreamEventView, { type: "delta" }> {
  const finals = outcome.events.filter((event) => event.type !== "delta");
  const last = outcome.events.at(-1);
  if (finals.length !== 1 || !last || last.type === "delta") {
    throw new Error(
      `expected exactly one final event, last; got ${JSON.stringify(outcome.events.map((event) => event.type))}`,
    );
  }
  return last;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
