import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createPhoneDetector } from "./phone-detector.ts";

const detector = createPhoneDetector();

describe("phone detector", () => {
  it("finds international numbers and North American layouts without context", () => {
    expect(found(detector, "reach me on +46 (0)8 928 571 38")).toEqual(["PHONE_NUMBER:+46 (0)8 928 571 38"]);
    expect(found(detector, "or +447700 921 916.")).toEqual(["PHONE_NUMBER:+447700 921 916"]);
    expect(found(detector, "my registered 905-674-3793.")).toEqual(["PHONE_NUMBER:905-674-3793"]);
    expect(found(detector, "(555) 010-9999 ext")).toEqual(["PHONE_NUMBER:(555) 010-9999"]);
    expect(found(detector, "345-899-3560x4587")).toEqual(["PHONE_NUMBER:345-899-3560x4587"]);
  });

  it("accepts weak formats only with a context word nearby", () => {
    expect(found(detector, "Can someone call me on 9472 7916?")).toEqual(["PHONE_NUMBER:9472 7916"]);
    expect(found(detector, "Phone:\n60-56-85-91")).toEqual(["PHONE_NUMBER:60-56-85-91"]);
    expect(found(detector, "07700 063 966 mobile")).toEqual(["PHONE_NUMBER:07700 063 966"]);
    expect(found(detector, "Invoice 9472 7916 is overdue")).toEqual([]);
    expect(found(detector, "order 9498777106 shipped")).toEqual([]);
  });

  it("ignores short and very long digit runs, and words that only contain 'tel'", () => {
    expect(found(detector, "call 12345")).toEqual([]);
    expect(found(detector, "hotel room 4417 2210 99")).toEqual([]);
    expect(found(detector, `call ${"1".repeat(30)}`)).toEqual([]);
  });
});
