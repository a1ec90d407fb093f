import { describe, expect, it } from "vitest";
import { sanitizeText } from "./index.ts";

describe("sanitizeText", () => {
  it.each([
    ["mail me at a.b+c@sub.example.co.uk please", "mail me at [EMAIL] please"],
    ["call 415-555-0132 now", "call [PHONE] now"],
    ["call +44 20 7946 0958", "call [PHONE]"],
    ["card 4242-4242-4242-4242 ok", "card [CARD] ok"],
    ["ssn 078-05-1120", "ssn [SSN]"],
    ["key sk-proj-AbCdEf0123456789", "key [API_KEY]"],
    ["Authorization: Bearer abc.def.ghi", "Authorization: Bearer [REDACTED]"],
    ['{"apiKey":"hunter2"}', '{"apiKey":"[REDACTED]"}'],
    ["aws AKIAIOSFODNN7EXAMPLE", "aws [API_KEY]"],
  ])("redacts %j", (input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });

  it("leaves ordinary text, dates and small numbers alone", () => {
    const text = "On 2026-03-01 we shipped 3 releases and 42 fixes.";
    expect(sanitizeText(text)).toBe(text);
  });

  it("truncates after redacting, saying how much was cut", () => {
    expect(sanitizeText("abcdefghij", 4)).toBe("abcd…[truncated 6 chars]");
  });
});
