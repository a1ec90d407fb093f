import type { ChatRequest, StreamEvent } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createPolicyResolver } from "../policy/resolve-policy.ts";
import { chunkedModel, collect, deltasOf, scriptedAnswers, testContext, user, wrap } from "../test-support/stages.ts";
import { inputSafetyMiddleware } from "./input-middleware.ts";
import { outputSafetyMiddleware } from "./output-middleware.ts";

const policyFor = createPolicyResolver({
  routes: {
    "toxic-block": { output: { toxicity: { action: "block" } } },
    "toxic-redact": { output: { toxicity: { action: "redact" } } },
    "toxic-safe": { output: { toxicity: { action: "block" } }, safeReply: "Let's keep this friendly." },
    brand: {
      output: {
        brand: {
          action: "redact",
          bannedTerms: ["Globex", "Initech Cloud"],
          tone: [{ name: "no-guarantees", phrases: ["we guarantee", "100 * guaranteed"] }],
          disclaimers: [{ topic: "medical", text: "This is not medical advice." }],
        },
      },
    },
    "brand-block": { output: { brand: { action: "block", bannedTerms: ["Globex"] } } },
  },
});
const stages = [inputSafetyMiddleware({ policyFor }), outputSafetyMiddleware({ policyFor })];

/** The simulator's `toxic` and `pii-leak` presets, word for word. */
const TOXIC = "You are a worthless idiot, and nobody wants to hear your stupid questions.";
const LEAK =
  "Here are the account details you asked for. The owner is Jane Doe (jane.doe@example.com, " +
  "+1 (555) 010-4477). Use the API key sk-proj-Zx81kQm3VtY7pLw2Rn5sHc9dJf4GbE6a to call the service.";
const LEAK_REDACTED =
  "Here are the account details you asked for. The owner is Jane Doe ([REDACTED_EMAIL], " +
  "[REDACTED_PHONE]). Use the API key [REDACTED_SECRET] to call the service.";

function split(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let at = 0; at < text.length; at += size) parts.push(text.slice(at, at + size));
  return parts;
}

function doneOf(events: StreamEvent[]) {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`expected done, got ${JSON.stringify(last)}`);
  return last.generation;
}

describe("output stage: personal data and credentials leaking into the answer", () => {
  it("redacts the leak by default, plain and streamed at every chunk size, never releasing a piece of it", async () => {
    const plain = await wrap(chunkedModel([LEAK]), stages).generate(user("Who owns the account?"), testContext());
    expect(plain.content).toBe(LEAK_REDACTED);
    expect(plain.safety.output.map((finding) => `${finding.detector}:${finding.kind}:${finding.action}`)).toEqual([
      "pii:EMAIL_ADDRESS:redact",
      "pii:PHONE_NUMBER:redact",
      "secrets:OPENAI_KEY:redact",
    ]);
    for (const finding of plain.safety.output)
      expect(plain.content.slice(finding.start, finding.end)).toMatch(/^\[REDACTED_[A-Z]+\]$/);
    for (const size of [1, 2, 3, 7, 16, 64]) {
      const events = await collect(wrap(chunkedModel(split(LEAK, size)), stages).stream(user("Who?"), testContext()));
      expect(deltasOf(events), `chunk ${size}`).toBe(LEAK_REDACTED);
      expect(doneOf(events).content).toBe(LEAK_REDACTED);
      for (const event of events) {
        if (event.type !== "delta") continue;
        expect(event.content).not.toMatch(/jane\.doe|@example|010-4477|sk-proj|Zx81/);
      }
    }
  });

  it("does not take the placeholders it gave the model for leaks, and restores them after output redaction", async () => {
    const answer = (seen: ChatRequest) =>
      `I wrote to ${/\[EMAIL_\d\]/.exec(seen.messages[0]!.content)?.[0]} and copied bob@corp.example.com. Done.`;
    const request = user("Please write to ana.lima@example.com about the refund.");
    const plain = await wrap(scriptedAnswers(answer).model, stages).generate(request, testContext());
    const expected = "I wrote to ana.lima@example.com and copied [REDACTED_EMAIL]. Done.";
    expect(plain.content).toBe(expected);
    // Offsets follow the restored text: the leak's finding points at its replacement.
    const leak = plain.safety.output[0]!;
    expect(plain.content.slice(leak.start, leak.end)).toBe("[REDACTED_EMAIL]");
    expect(plain.safety.output).toHaveLength(1);
    for (const chunk of [1, 2, 4, 9]) {
      const events = await collect(
        wrap(scriptedAnswers(answer, { chunk }).model, stages).stream(request, testContext()),
      );
      expect(deltasOf(events), `chunk ${chunk}`).toBe(expected);
      const done = doneOf(events);
      expect(done.content.slice(done.safety.output[0]!.start, done.safety.output[0]!.end)).toBe("[REDACTED_EMAIL]");
    }
  });
});

describe("output stage: toxicity", () => {
  it("blocks the simulator's toxic answer with CONTENT_BLOCKED naming detector and kind", async () => {
    const ctx = testContext();
    await expect(wrap(chunkedModel([TOXIC]), stages).generate(user("Hi", "toxic-block"), ctx)).rejects.toMatchObject({
      code: "CONTENT_BLOCKED",
      details: { stage: "output", detector: "toxicity", kind: "TOXIC" },
    });
    expect(ctx.seen).toContainEqual(
      expect.objectContaining({ type: "safety-finding", stage: "output", action: "block" }),
    );
  });

  it("ends a stream cut mid-sentence by a violation with an error, no done, and nothing of the sentence released", async () => {
    const parts = [
      "Happy to help. ",
      "Here is the plan. ",
      "You are a worth",
      "less idiot, and nobody wants ",
      "to hear your stupid questions. ",
      "Bye.",
    ];
    for (const route of ["toxic-block"]) {
      const events = await collect(wrap(chunkedModel(parts), stages).stream(user("Hi", route), testContext()));
      expect(events.at(-1)).toMatchObject({
        type: "error",
        error: { code: "CONTENT_BLOCKED", details: { kind: "TOXIC" } },
      });
      expect(events.some((event) => event.type === "done")).toBe(false);
      expect(deltasOf(events)).toBe("Happy to help. Here is the plan. ");
    }
  });

  it("redacts a toxic sentence in place when the action is redact, plain and streamed alike", async () => {
    const answer = `Happy to help. ${TOXIC} Here is the plan.`;
    const expected = "Happy to help. [REDACTED_TOXIC] Here is the plan.";
    const plain = await wrap(chunkedModel([answer]), stages).generate(user("Hi", "toxic-redact"), testContext());
    expect(plain.content).toBe(expected);
    for (const size of [1, 5, 11]) {
      const events = await collect(
        wrap(chunkedModel(split(answer, size)), stages).stream(user("Hi", "toxic-redact"), testContext()),
      );
      expect(deltasOf(events)).toBe(expected);
      expect(doneOf(events).safety.output[0]).toMatchObject({ kind: "TOXIC", action: "redact", start: 15, end: 31 });
    }
  });

  it("flags toxicity by default and lets the answer through unchanged", async () => {
    const plain = await wrap(chunkedModel([TOXIC]), stages).generate(user("Hi"), testContext());
    expect(plain.content).toBe(TOXIC);
    expect(plain.safety.output[0]).toMatchObject({ detector: "toxicity", kind: "TOXIC", action: "flag" });
  });

  it("serves the safe reply for a blocked answer when configured, and for a stream blocked before it sent anything", async () => {
    const plain = await wrap(chunkedModel([TOXIC]), stages).generate(user("Hi", "toxic-safe"), testContext());
    expect(plain).toMatchObject({ content: "Let's keep this friendly.", finishReason: "content_filter" });
    expect(plain.safety.output[0]).toMatchObject({ kind: "TOXIC", action: "block" });
    const events = await collect(
      wrap(chunkedModel(split(TOXIC, 4)), stages).stream(user("Hi", "toxic-safe"), testContext()),
    );
    expect(deltasOf(events)).toBe("Let's keep this friendly.");
    expect(doneOf(events).finishReason).toBe("content_filter");
  });
});

describe("output stage: brand rules", () => {
  it("redacts banned terms and tone phrases and appends a topic's disclaimer, plain and streamed", async () => {
    const answer =
      "Unlike Globex, our Initech   cloud plan is 100 percent guaranteed. We guarantee your symptoms and the dosage will be fine.";
    const expected =
      "Unlike [REDACTED_TERM], our [REDACTED_TERM] plan is [REDACTED_TERM]. [REDACTED_TERM] your symptoms and the dosage will be fine." +
      "\n\nThis is not medical advice.";
    const plain = await wrap(chunkedModel([answer]), stages).generate(user("Hi", "brand"), testContext());
    expect(plain.content).toBe(expected);
    expect(plain.safety.output.map((finding) => `${finding.kind}:${finding.message ?? ""}`)).toEqual([
      "BANNED_TERM:",
      "BANNED_TERM:",
      "TONE:no-guarantees",
      "TONE:no-guarantees",
    ]);
    for (const size of [1, 3, 10]) {
      const events = await collect(
        wrap(chunkedModel(split(answer, size)), stages).stream(user("Hi", "brand"), testContext()),
      );
      expect(deltasOf(events), `chunk ${size}`).toBe(expected);
      for (const event of events)
        if (event.type === "delta") expect(event.content).not.toMatch(/Globex|Initech|guarantee/i);
    }
  });

  it("does not append a disclaimer to an answer off the topic, nor match a banned term inside another word", async () => {
    const plain = await wrap(
      chunkedModel(["Globexia is a small town in the hills, with a market on Sundays."]),
      stages,
    ).generate(user("Hi", "brand"), testContext());
    expect(plain.content).toBe("Globexia is a small town in the hills, with a market on Sundays.");
    expect(plain.safety.output).toEqual([]);
  });

  it("blocks a banned term when the action is block", async () => {
    await expect(
      wrap(chunkedModel(["Try Globex instead."]), stages).generate(user("Hi", "brand-block"), testContext()),
    ).rejects.toMatchObject({ code: "CONTENT_BLOCKED", details: { detector: "brand", kind: "BANNED_TERM" } });
  });
});
