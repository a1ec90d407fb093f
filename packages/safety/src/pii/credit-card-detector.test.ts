import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createCreditCardDetector } from "./credit-card-detector.ts";

const detector = createCreditCardDetector();

describe("credit card detector", () => {
  it("finds Luhn-valid numbers whole or grouped by spaces or hyphens", () => {
    expect(found(detector, "card 4111111111111111 expires")).toEqual(["CREDIT_CARD:4111111111111111"]);
    expect(found(detector, "Visa 4111 1111 1111 1111.")).toEqual(["CREDIT_CARD:4111 1111 1111 1111"]);
    expect(found(detector, "amex 3782-822463-10005")).toEqual(["CREDIT_CARD:3782-822463-10005"]);
    expect(found(detector, "maestro 630427373398 and JCB 180016070420458")).toEqual([
      "CREDIT_CARD:630427373398",
      "CREDIT_CARD:180016070420458",
    ]);
  });

  it("rejects look-alikes that fail Luhn, have no issuer prefix or the wrong length", () => {
    expect(found(detector, "card 4111111111111112")).toEqual([]);
    expect(found(detector, "order 1234567812345670 shipped")).toEqual([]); // passes Luhn, prefix 1 is no network
    expect(found(detector, "id 41111111111")).toEqual([]); // 11 digits
    expect(found(detector, "4111.1111.1111.1111")).toEqual([]); // dots are not card separators
    expect(found(detector, "v4111111111111111")).toEqual([]); // glued to a word
  });

  it("does not look inside runs far longer than any card", () => {
    expect(found(detector, "4".repeat(40))).toEqual([]);
  });
});
