import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createIbanDetector } from "./iban-detector.ts";

const detector = createIbanDetector();

describe("IBAN detector", () => {
  it("finds valid IBANs with or without spaces, in either case", () => {
    expect(found(detector, "My IBAN is GB82WEST12345698765432")).toEqual(["IBAN_CODE:GB82WEST12345698765432"]);
    expect(found(detector, "pay DE89 3704 0044 0532 0130 00 today")).toEqual(["IBAN_CODE:DE89 3704 0044 0532 0130 00"]);
    expect(found(detector, "iban gb82west12345698765432.")).toEqual(["IBAN_CODE:gb82west12345698765432"]);
  });

  it("rejects strings that fail mod-97 or the country's length", () => {
    expect(found(detector, "GB82WEST12345698765433")).toEqual([]);
    expect(found(detector, "DE89 3704 0044 0532 0130")).toEqual([]);
    expect(found(detector, "XX00ABCDEFGHIJKLMNOP")).toEqual([]);
  });
});
