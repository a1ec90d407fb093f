import { describe, expect, it } from "vitest";
import { applyEdits, EditLog } from "./text-edits.ts";

describe("text edits", () => {
  it("applies non-overlapping edits in any order; of overlapping ones the earlier, then longer, wins", () => {
    const text = "call 555-0100 or mail a@b.co";
    const result = applyEdits(text, [
      { start: 22, end: 28, replacement: "[EMAIL_1]" },
      { start: 5, end: 13, replacement: "[PHONE_1]" },
      { start: 5, end: 8, replacement: "[X]" },
    ]);
    expect(result.text).toBe("call [PHONE_1] or mail [EMAIL_1]");
    expect(result.edits.map((edit) => edit.replacement)).toEqual(["[PHONE_1]", "[EMAIL_1]"]);
  });

  it("maps offsets of the old text into the edited one, spans over replacements to the whole replacement", () => {
    const log = new EditLog();
    log.add([
      { start: 5, end: 13, replacement: "[PHONE_1]" },
      { start: 22, end: 28, replacement: "[EMAIL_1]" },
      { start: 28, end: 28, replacement: " (note)" },
    ]);
    expect(log.map(0)).toBe(0);
    expect(log.mapSpan({ start: 5, end: 13 })).toEqual({ start: 5, end: 14 });
    expect(log.mapSpan({ start: 7, end: 9 })).toEqual({ start: 5, end: 14 });
    expect(log.mapSpan({ start: 14, end: 16 })).toEqual({ start: 15, end: 17 });
    expect(log.mapSpan({ start: 22, end: 28 })).toEqual({ start: 23, end: 32 });
    // Text inserted at 28 comes after a span ending there and before one starting there.
    expect(log.map(28, "end")).toBe(32);
    expect(log.map(28, "start")).toBe(39);
  });
});
