import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createDateTimeDetector } from "./date-time-detector.ts";

const detector = createDateTimeDetector();

describe("date and time detector", () => {
  it("finds ISO timestamps, numeric dates, month names and weekdays", () => {
    expect(found(detector, "When: 2000-04-16 11:34:35\n")).toEqual(["DATE_TIME:2000-04-16 11:34:35"]);
    expect(found(detector, "She was born on 2/8/1935.")).toEqual(["DATE_TIME:2/8/1935"]);
    expect(found(detector, "due 24.06.2021 or June 24, 2021")).toEqual([
      "DATE_TIME:24.06.2021",
      "DATE_TIME:June 24, 2021",
    ]);
    expect(found(detector, "We'll meet Monday")).toEqual(["DATE_TIME:Monday"]);
  });

  it("scores dates of birth 1 and other dates lower", () => {
    const [birth] = createDateTimeDetector().detect("Date of birth: 6/24/1991");
    const [other] = createDateTimeDetector().detect("Invoice date 6/24/1991");
    expect(birth?.score).toBe(1);
    expect(other?.score).toBeLessThan(1);
  });

  it("takes a four-digit year only after a word like 'in' or 'since'", () => {
    expect(found(detector, "founded in 1977. Since 2001")).toEqual(["DATE_TIME:1977", "DATE_TIME:2001"]);
    expect(found(detector, "room 1977 and 2001 Main St")).toEqual([]);
  });

  it("leaves versions, impossible dates and long numbers alone", () => {
    expect(found(detector, "version 1.2.34")).toEqual([]);
    expect(found(detector, "2021-13-45")).toEqual([]);
    expect(found(detector, "id 20210101123")).toEqual([]);
  });
});
