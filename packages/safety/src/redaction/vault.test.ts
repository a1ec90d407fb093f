import { describe, expect, it } from "vitest";
import { createStreamRestorer } from "./stream-restorer.ts";
import { createVault } from "./vault.ts";

const email = { kind: "EMAIL_ADDRESS", detector: "pii-email" };
const person = { kind: "PERSON", detector: "ner" };

describe("vault", () => {
  it("gives the same value the same placeholder and numbers each label on its own", () => {
    const vault = createVault();
    expect(vault.placeholderFor("ana@example.com", email)).toBe("[EMAIL_1]");
    expect(vault.placeholderFor("Ana Lima", person)).toBe("[PERSON_1]");
    expect(vault.placeholderFor("bo@example.com", email)).toBe("[EMAIL_2]");
    expect(vault.placeholderFor("ana@example.com", email)).toBe("[EMAIL_1]");
    expect(vault.placeholderFor("sk-abc", { kind: "OPENAI_KEY", detector: "secrets" })).toBe("[SECRET_1]");
    expect(vault.size).toBe(4);
  });

  it("restores its own placeholders, leaves unknown ones, and reports the edits", () => {
    const vault = createVault();
    vault.placeholderFor("ana@example.com", email);
    const restored = vault.restore("Write to [EMAIL_1], not [EMAIL_9] or [email_1].");
    expect(restored.text).toBe("Write to ana@example.com, not [EMAIL_9] or [email_1].");
    expect(restored.edits).toEqual([{ start: 9, end: 18, replacement: "ana@example.com" }]);
  });

  it("escapes values restored into a JSON string's body", () => {
    const vault = createVault();
    vault.placeholderFor('Ana "the Great" \\ Lima', person);
    const argumentsText = JSON.stringify({ to: "[PERSON_1]" });
    expect(JSON.parse(vault.restoreJson(argumentsText))).toEqual({ to: 'Ana "the Great" \\ Lima' });
  });

  it("two vaults never share values: one request's placeholders mean nothing in another", () => {
    const first = createVault();
    const second = createVault();
    first.placeholderFor("ana@example.com", email);
    second.placeholderFor("bo@example.com", email);
    expect(first.restore("[EMAIL_1]").text).toBe("ana@example.com");
    expect(second.restore("[EMAIL_1]").text).toBe("bo@example.com");
    expect(createVault().restore("[EMAIL_1]").text).toBe("[EMAIL_1]");
  });
});

describe("stream restorer", () => {
  const vault = createVault();
  vault.placeholderFor("ana@example.com", email);
  vault.placeholderFor("Ana Lima", person);
  const answer = "Dear [PERSON_1], we wrote to [EMAIL_1] [EMAIL_1]. [x] [EMAIL_] end";
  const expected = "Dear Ana Lima, we wrote to ana@example.com ana@example.com. [x] [EMAIL_] end";

  it("restores placeholders split across chunks at every position", () => {
    for (let cut = 1; cut < answer.length; cut++) {
      const restorer = createStreamRestorer(vault);
      const out = restorer.push(answer.slice(0, cut)) + restorer.push(answer.slice(cut)) + restorer.flush();
      expect(out, `cut at ${cut}`).toBe(expected);
    }
  });

  it("restores a stream of one-character chunks and holds back only a possible placeholder", () => {
    const restorer = createStreamRestorer(vault);
    let out = "";
    for (const char of answer) out += restorer.push(char);
    out += restorer.flush();
    expect(out).toBe(expected);
    // After "Dear " the text is released before the placeholder starts.
    const early = createStreamRestorer(vault);
    expect(early.push("Dear [PERS")).toBe("Dear ");
    expect(early.push("ON_1] hi")).toBe("Ana Lima hi");
    expect(early.push("[ not a placeholder")).toBe("[ not a placeholder");
    const held = createStreamRestorer(vault);
    expect(held.push("x [PERSON_")).toBe("x ");
    expect(held.push("1")).toBe("");
    expect(held.flush()).toBe("[PERSON_1");
  });

  it("passes text through untouched when the vault is empty", () => {
    const restorer = createStreamRestorer(createVault());
    expect(restorer.push("[EMAIL_1] and [")).toBe("[EMAIL_1] and [");
    expect(restorer.flush()).toBe("");
  });
});
