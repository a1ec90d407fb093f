import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createUsSsnDetector, isValidSsn } from "./us-ssn-detector.ts";

const detector = createUsSsnDetector();

describe("US SSN detector", () => {
  it("finds grouped numbers, and bare nine digits only next to SSN context", () => {
    expect(found(detector, "Here's my SSN: 460-89-9847")).toEqual(["US_SSN:460-89-9847"]);
    expect(found(detector, "ssn 853 37 1694")).toEqual(["US_SSN:853 37 1694"]);
    expect(found(detector, "social security number 460899847")).toEqual(["US_SSN:460899847"]);
    expect(found(detector, "tracking number 460899847")).toEqual([]);
  });

  it("rejects area 000, 666 and 900-999, group 00 and serial 0000", () => {
    for (const invalid of ["000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000"]) {
      expect(found(detector, `SSN ${invalid}`)).toEqual([]);
    }
    expect(isValidSsn("123456789")).toBe(true);
    expect(isValidSsn("999456789")).toBe(false);
  });

  it("rejects mixed separators and longer runs", () => {
    expect(found(detector, "SSN 460-89 9847")).toEqual([]);
    expect(found(detector, "460-89-98471")).toEqual([]);
  });
});
