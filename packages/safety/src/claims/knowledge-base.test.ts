import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chunkKnowledge, loadKnowledgeBase } from "./knowledge-base.ts";

const directory = mkdtempSync(join(tmpdir(), "keel-knowledge-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("knowledge base", () => {
  it("reads .txt and .md files under a folder, in name order, and skips other files", () => {
    mkdirSync(join(directory, "nested"));
    writeFileSync(join(directory, "b.md"), "# Returns\n\nItems can be returned within 30 days.");
    writeFileSync(join(directory, "a.txt"), "Shipping is free above 50 euros.");
    writeFileSync(join(directory, "nested", "c.txt"), "Support answers within one working day.");
    writeFileSync(join(directory, "image.png"), "not text");
    const passages = loadKnowledgeBase(directory);
    expect(passages.map((passage) => passage.id)).toEqual(["a.txt#0", "b.md#0", "nested/c.txt#0"]);
    expect(passages[1]!.text).toBe("# Returns\n\nItems can be returned within 30 days.");
  });

  it("starts a passage at each heading and keeps passages bounded", () => {
    const long = "A sentence about shipping that goes on for a while. ".repeat(60);
    const passages = chunkKnowledge(`# One\n\nShort.\n\n# Two\n\n${long}`);
    expect(passages[0]!.text).toBe("# One\n\nShort.");
    expect(passages.length).toBeGreaterThan(2);
    expect(passages.every((passage) => passage.text.length <= 1200)).toBe(true);
  });
});
