import { describe, expect, it } from "vitest";
import { createClaimChecker } from "./claim-checker.ts";

const knowledge = [
  "# Eiffel Tower",
  "The Eiffel Tower was completed in 1889 in Paris. It was designed by the engineering company of Gustave Eiffel and is 330 metres tall.",
  "# Sydney Opera House",
  "The Sydney Opera House opened in 1973. Its architect was Jørn Utzon, a Danish architect who won the design competition in 1957.",
].join("\n\n");

describe("claim checker", () => {
  const checker = createClaimChecker({ knowledgeText: knowledge });

  it("supports a claim the knowledge states, and names the passage", async () => {
    const check = await checker.check("The Eiffel Tower was completed in 1889.", {
      question: "When was the Eiffel Tower completed?",
    });
    expect(check.claims).toHaveLength(1);
    expect(check.claims[0]).toMatchObject({ start: 0, end: 39, supported: true, passageId: "knowledge#0" });
    expect(check.supported).toBe(true);
  });

  it("rejects a wrong number and a wrong name", async () => {
    const wrongYear = await checker.check("The Sydney Opera House opened in 1985.", {
      question: "When did the Sydney Opera House open?",
    });
    expect(wrongYear.claims[0]!.supported).toBe(false);
    const wrongName = await checker.check("Its architect was Frank Gehry, an American.", {
      question: "Who designed the Sydney Opera House?",
    });
    expect(wrongName.supported).toBe(false);
  });

  it("judges each claim of a longer answer with its own offsets", async () => {
    const answer = "It is 330 metres tall. It was designed by Leonardo Rossi in Milan.";
    const check = await checker.check(answer, { question: "How tall is the Eiffel Tower, and who designed it?" });
    expect(check.claims.map((claim) => answer.slice(claim.start, claim.end))).toEqual([
      "It is 330 metres tall.",
      "It was designed by Leonardo Rossi in Milan.",
    ]);
    expect(check.claims.map((claim) => claim.supported)).toEqual([true, false]);
    expect(check.supported).toBe(false);
    expect(check.support).toBe(Math.min(...check.claims.map((claim) => claim.support)));
  });

  it("uses an injected embedder to find a passage BM25 misses", async () => {
    const calls: string[][] = [];
    const embed = (texts: string[]) => {
      calls.push(texts);
      return texts.map((text) => (/opera|utzon|architect|building in sydney/i.test(text) ? [0, 1] : [1, 0]));
    };
    const semantic = createClaimChecker({
      passages: [
        { id: "tower", text: "The Eiffel Tower was completed in 1889 in Paris." },
        { id: "opera", text: "The Sydney Opera House opened in 1973; its architect was Jørn Utzon." },
      ],
      embed,
    });
    const check = await semantic.check("That building in Sydney opened in 1973.");
    expect(check.claims[0]!.passageId).toBe("opera");
    await semantic.check("Another claim.");
    // Passages are embedded once; each check embeds only its claims.
    expect(calls.filter((texts) => texts.length === 2)).toHaveLength(1);
  });

  it("answers with no claim when the answer has no words", async () => {
    expect(await checker.check("  ...  ")).toEqual({ claims: [], support: 1, supported: true });
  });

  it("checks a 1 MB answer against a 1 MB knowledge text in linear time", async () => {
    const sentence = "The Eiffel Tower was completed in 1889 by Gustave Eiffel; it is 330 metres tall. ";
    const large = sentence.repeat(Math.ceil((1 << 20) / sentence.length));
    const started = performance.now();
    const check = await createClaimChecker({ knowledgeText: large }).check(large, { question: "Tell me about it." });
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(check.claims.every((claim) => claim.end <= large.length)).toBe(true);
  }, 120_000);
});
