import { describe, expect, it } from "vitest";
import { identityMapped, MappedTextBuilder } from "./mapped-text.ts";

describe("mapped text builder", () => {
  it("keeps a finished output intact while later builders reuse its working arrays", () => {
    const first = new MappedTextBuilder(4);
    for (const [index, unit] of [..."abcd"].entries()) first.push(unit.charCodeAt(0), index, index + 1);
    const kept = first.finish(identityMapped("abcd"));
    const copy = { text: kept.text, starts: [...(kept.starts ?? [])], ends: [...(kept.ends ?? [])] };

    const second = new MappedTextBuilder(4);
    for (let index = 0; index < 4; index++) second.push(0x7a, 9, 10);
    const other = second.finish(identityMapped("zzzzzzzzzz"));

    expect(copy).toEqual({ text: "abcd", starts: [0, 1, 2, 3], ends: [1, 2, 3, 4] });
    expect({ text: kept.text, starts: [...(kept.starts ?? [])], ends: [...(kept.ends ?? [])] }).toEqual(copy);
    expect({ text: other.text, starts: [...(other.starts ?? [])], ends: [...(other.ends ?? [])] }).toEqual({
      text: "zzzz",
      starts: [9, 9, 9, 9],
      ends: [10, 10, 10, 10],
    });
  });

  it("starts afresh when pushed to after finish, without touching the arrays it gave back", () => {
    const builder = new MappedTextBuilder(2);
    builder.push(0x61, 0, 1);
    expect(builder.finish(identityMapped("a")).text).toBe("a");
    builder.push(0x62, 0, 1);
    const next = new MappedTextBuilder(2);
    next.push(0x63, 0, 1);
    expect(builder.finish(identityMapped("b")).text).toBe("b");
    expect(next.finish(identityMapped("c")).text).toBe("c");
  });
});
