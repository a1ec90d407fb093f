import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createPiiDetector, detectPii } from "./pii-detector.ts";

describe("PII detector", () => {
  it("combines the structured rules and the tagger", () => {
    const text = "Hi, I'm Maria Silva, card 4111 1111 1111 1111, mail maria@example.com, call +1-984-182-0190.";
    expect(found(createPiiDetector(), text)).toEqual([
      "PERSON:Maria Silva",
      "CREDIT_CARD:4111 1111 1111 1111",
      "EMAIL_ADDRESS:maria@example.com",
      "PHONE_NUMBER:+1-984-182-0190",
    ]);
    expect(detectPii(text)).toHaveLength(4);
  });

  it("prefers a validated finding over an overlapping weaker one", () => {
    // A 16-digit Luhn-valid number after "call" is both a card and a context phone: the card wins.
    expect(found(createPiiDetector({ ner: false }), "call 4111111111111111")).toEqual(["CREDIT_CARD:4111111111111111"]);
  });

  it("cuts the tagger's spans around structured findings instead of dropping them", () => {
    const detector = createPiiDetector();
    const findings = found(detector, "Ship to 14 Crown Street, London, phone +44 20 7946 0958 today");
    expect(findings).toContain("PHONE_NUMBER:+44 20 7946 0958");
    expect(findings.some((finding) => finding.startsWith("STREET_ADDRESS:14 Crown Street"))).toBe(true);
  });

  it("keeps a context-only ZIP code inside a tagged address as part of the address", () => {
    const findings = found(createPiiDetector(), "My new address is 85209 Gabriel Locks, South Connieport, MB 80202");
    expect(findings).not.toContain("ZIP_CODE:80202");
    expect(found(createPiiDetector(), "my zip code is 35350")).toEqual(["ZIP_CODE:35350"]);
  });

  it("reports only the kinds asked for, and says which it covers", () => {
    const detector = createPiiDetector({ kinds: ["EMAIL_ADDRESS", "PERSON"] });
    expect(detector.kinds).toEqual(["EMAIL_ADDRESS", "PERSON"]);
    expect(found(detector, "Maria Silva, maria@example.com, 4111111111111111")).toEqual([
      "PERSON:Maria Silva",
      "EMAIL_ADDRESS:maria@example.com",
    ]);
    expect(createPiiDetector().kinds).toEqual(
      expect.arrayContaining(["CREDIT_CARD", "IBAN_CODE", "GPE", "STREET_ADDRESS"]),
    );
    expect(createPiiDetector({ ner: false }).kinds).not.toContain("PERSON");
  });
});
