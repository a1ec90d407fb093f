import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createEmailDetector } from "./email-detector.ts";

const detector = createEmailDetector();

describe("e-mail detector", () => {
  it("finds addresses inside sentences, brackets and after labels", () => {
    expect(found(detector, "Write to UtaKortig@jourrapide.com, please.")).toEqual([
      "EMAIL_ADDRESS:UtaKortig@jourrapide.com",
    ]);
    expect(found(detector, "From: Ana <ana.lima+news@mail.example.co.uk>")).toEqual([
      "EMAIL_ADDRESS:ana.lima+news@mail.example.co.uk",
    ]);
    expect(found(detector, "E-mail:\nSzaszJanka@cuvox.de\n")).toEqual(["EMAIL_ADDRESS:SzaszJanka@cuvox.de"]);
  });

  it("leaves handles, decorators and addresses without a domain alone", () => {
    expect(found(detector, "ping @maria on slack")).toEqual([]);
    expect(found(detector, "@Component({ selector: 'app' })")).toEqual([]);
    expect(found(detector, "user@localhost and a@b")).toEqual([]);
    expect(found(detector, "trailing dot user@example.")).toEqual([]);
  });

  it("reports offsets into the original string and never the value", () => {
    const text = "\u200b\u202eemail: joe@example.org";
    const [finding] = detector.detect(text);
    expect(finding).toEqual({ kind: "EMAIL_ADDRESS", start: 9, end: 24, score: 1, detector: "pii-email" });
    expect(text.slice(finding?.start, finding?.end)).toBe("joe@example.org");
  });
});
