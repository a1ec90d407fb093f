import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ChatRequest, Generation, StreamEvent } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createPolicyResolver } from "../policy/resolve-policy.ts";
import { collect, deltasOf, scriptedAnswers, testContext, wrap } from "../test-support/stages.ts";
import { inputSafetyMiddleware } from "./input-middleware.ts";
import { outputSafetyMiddleware } from "./output-middleware.ts";

const strings = JSON.parse(readFileSync(resolve(import.meta.dirname, "../test-data/blns.json"), "utf8")) as string[];
// The defaults, with toxicity redacting on output so the sentence hold is exercised too, and
// a second route where the tagger redacts names on output (it reads context, so a stream's
// window may see a name the whole answer does not: there only the invariants are checked).
const policyFor = createPolicyResolver({
  defaults: { output: { toxicity: { action: "redact" } } },
  routes: { names: { output: { names: { action: "redact" } } } },
});
const stages = [inputSafetyMiddleware({ policyFor }), outputSafetyMiddleware({ policyFor })];

/** The model answers with the text it was given, so the output stage reads the naughty strings too. */
const echo = scriptedAnswers((seen) => `${seen.messages[0]!.content} | ${seen.documents?.[0]?.text ?? ""}`, {
  chunk: 3,
});

function checkOffsets(generation: Generation, request: ChatRequest): void {
  for (const finding of generation.safety.input) {
    const text =
      finding.documentIndex === undefined
        ? request.messages[finding.messageIndex ?? 0]!.content
        : request.documents![finding.documentIndex]!.text;
    expect(finding.start).toBeGreaterThanOrEqual(0);
    expect(finding.end).toBeLessThanOrEqual(text.length);
    expect(finding.start).toBeLessThanOrEqual(finding.end!);
  }
  for (const finding of generation.safety.output) {
    expect(finding.start).toBeGreaterThanOrEqual(0);
    expect(finding.end).toBeLessThanOrEqual(generation.content.length);
  }
}

describe("the naughty strings through both stages", () => {
  it("never throw, keep offsets inside the texts, and stream exactly what they answer plainly", async () => {
    const model = wrap(echo.model, stages);
    for (const [route, text] of [
      ...strings.map((text) => ["route", text]),
      ...strings.map((text) => ["names", text]),
    ]) {
      const request: ChatRequest = {
        model: route!,
        messages: [{ role: "user", content: text! }],
        documents: [{ id: "d", text: text! }],
      };
      const plain = await model.generate(request, testContext());
      checkOffsets(plain, request);
      const events = await collect(model.stream(request, testContext()));
      const done = events.at(-1) as Extract<StreamEvent, { type: "done" }>;
      expect(done.type, JSON.stringify(text)).toBe("done");
      expect(deltasOf(events), JSON.stringify(text)).toBe(done.generation.content);
      checkOffsets(done.generation, request);
      if (route === "route") expect(done.generation.content, JSON.stringify(text)).toBe(plain.content);
    }
  }, 120_000);
});
