import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatRequest, StreamEvent } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { loadKnowledgeBases } from "../claims/knowledge-bases.ts";
import { createPolicyResolver } from "../policy/resolve-policy.ts";
import { chunkedModel, collect, deltasOf, testContext, wrap } from "../test-support/stages.ts";
import { inputSafetyMiddleware } from "./input-middleware.ts";
import { outputSafetyMiddleware } from "./output-middleware.ts";

const documents = [
  {
    id: "policy",
    text: "Refunds are issued within 14 days of the return being received. Returns are accepted for 30 days after delivery.",
  },
  { id: "team", text: "The support team is led by Maria Okafor. The office is open Monday to Friday, 9:00 to 17:00." },
];
const folder = mkdtempSync(join(tmpdir(), "keel-kb-"));
writeFileSync(join(folder, "refunds.md"), `# Refunds\n\n${documents[0]!.text}\n`);
writeFileSync(join(folder, "team.txt"), documents[1]!.text);
const knowledgeBases = loadKnowledgeBases({ handbook: folder });

const policyFor = createPolicyResolver({
  routes: {
    flag: { output: { claims: { action: "flag" } } },
    disclaim: { output: { claims: { action: "disclaim" } } },
    block: { output: { claims: { action: "block" } } },
    handbook: { output: { claims: { action: "flag", knowledgeBase: "handbook" } } },
  },
});
const stages = [inputSafetyMiddleware({ policyFor }), outputSafetyMiddleware({ policyFor, knowledgeBases })];

const SUPPORTED = "Refunds are issued within 14 days of the return being received.";
const WRONG_NUMBER = "Returns are accepted for 90 days after delivery.";
const WRONG_NAME = "The support team is led by John Smith.";
const RIGHT_NAME = "The support team is led by Maria Okafor.";

const ask = (route: string, withDocuments = true): ChatRequest => ({
  model: route,
  messages: [{ role: "user", content: "How do refunds work, and who runs support?" }],
  ...(withDocuments ? { documents } : {}),
});

describe("claim check against the request's documents", () => {
  it("flags the unsupported claims with offsets, score and best passage; supported ones pass", async () => {
    const answer = `${SUPPORTED} ${WRONG_NUMBER} ${RIGHT_NAME} ${WRONG_NAME}`;
    const generation = await wrap(chunkedModel([answer]), stages).generate(ask("flag"), testContext());
    expect(generation.content).toBe(answer);
    const claims = generation.safety.claims!;
    expect(claims.map((claim) => [answer.slice(claim.start, claim.end), claim.supported, claim.passageId])).toEqual([
      [SUPPORTED, true, "policy"],
      [WRONG_NUMBER, false, "policy"],
      [RIGHT_NAME, true, "team"],
      [WRONG_NAME, false, "team"],
    ]);
    for (const claim of claims) expect(claim.score).toBeGreaterThanOrEqual(0);
    expect(claims[1]!.score).toBeLessThan(claims[0]!.score);
    const flagged = generation.safety.output.map((finding) => answer.slice(finding.start, finding.end));
    expect(flagged).toEqual([WRONG_NUMBER, WRONG_NAME]);
    expect(generation.safety.output[0]).toMatchObject({
      detector: "claims",
      kind: "UNSUPPORTED_CLAIM",
      action: "flag",
    });
  });

  it("appends a disclaimer naming the unsupported statements, and streams it as the last delta", async () => {
    const answer = `${SUPPORTED} ${WRONG_NAME}`;
    const expected = `${answer}\n\nNote: these statements could not be verified against the provided sources: "${WRONG_NAME}"`;
    const plain = await wrap(chunkedModel([answer]), stages).generate(ask("disclaim"), testContext());
    expect(plain.content).toBe(expected);
    const events = await collect(
      wrap(chunkedModel(answer.match(/.{1,5}/g)!), stages).stream(ask("disclaim"), testContext()),
    );
    expect(deltasOf(events)).toBe(expected);
    const done = events.at(-1) as Extract<StreamEvent, { type: "done" }>;
    expect(done.generation.safety.claims?.map((claim) => claim.supported)).toEqual([true, false]);
  });

  it("blocks an answer with an unsupported claim; a stream releases nothing before the check", async () => {
    await expect(
      wrap(chunkedModel([`${SUPPORTED} ${WRONG_NUMBER}`]), stages).generate(ask("block"), testContext()),
    ).rejects.toMatchObject({ code: "CONTENT_BLOCKED", details: { detector: "claims", kind: "UNSUPPORTED_CLAIM" } });
    const events = await collect(
      wrap(chunkedModel([`${SUPPORTED} `, WRONG_NUMBER]), stages).stream(ask("block"), testContext()),
    );
    expect(events).toEqual([{ type: "error", error: expect.objectContaining({ code: "CONTENT_BLOCKED" }) }]);
    const fine = await collect(
      wrap(chunkedModel([`${SUPPORTED} `, RIGHT_NAME]), stages).stream(ask("block"), testContext()),
    );
    expect(deltasOf(fine)).toBe(`${SUPPORTED} ${RIGHT_NAME}`);
  });

  it("checks against the route's knowledge base when the request has no documents; with neither, no check", async () => {
    const answer = `${RIGHT_NAME} ${WRONG_NUMBER}`;
    const generation = await wrap(chunkedModel([answer]), stages).generate(ask("handbook", false), testContext());
    expect(generation.safety.claims?.map((claim) => [claim.supported, claim.passageId])).toEqual([
      [true, "team.txt#0"],
      [false, "refunds.md#0"],
    ]);
    const unchecked = await wrap(chunkedModel([answer]), stages).generate(ask("flag", false), testContext());
    expect(unchecked.safety.claims).toBeUndefined();
  });
});
