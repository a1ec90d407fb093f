import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createAgeDetector } from "./age-detector.ts";
import { createDriverLicenseDetector } from "./driver-license-detector.ts";
import { createZipCodeDetector } from "./zip-code-detector.ts";

describe("age detector", () => {
  const detector = createAgeDetector();
  it("finds ages in phrases that say so", () => {
    expect(found(detector, "This 79 year old female")).toEqual(["AGE:79"]);
    expect(found(detector, "Patient is a 38-year-old male")).toEqual(["AGE:38"]);
    expect(found(detector, "and i'm 31 y/o.")).toEqual(["AGE:31"]);
    expect(found(detector, "retired at the age of 61")).toEqual(["AGE:61"]);
    expect(found(detector, "He just turned 69 years old")).toEqual(["AGE:69"]);
  });
  it("leaves other numbers and impossible ages alone", () => {
    expect(found(detector, "I have 3 cats and 200 year old trees")).toEqual([]);
    expect(found(detector, "the 5 year plan")).toEqual([]);
  });
});

describe("ZIP code detector", () => {
  const detector = createZipCodeDetector();
  it("finds codes after a label or a US state", () => {
    expect(found(detector, "ZIP: 3520")).toEqual(["ZIP_CODE:3520"]);
    expect(found(detector, "my zip code is 35350")).toEqual(["ZIP_CODE:35350"]);
    expect(found(detector, "postal code B0J 2H0")).toEqual(["ZIP_CODE:B0J 2H0"]);
    expect(found(detector, "Denver, CO 80202-1234")).toEqual(["ZIP_CODE:80202-1234"]);
  });
  it("leaves bare numbers and labels without a code alone", () => {
    expect(found(detector, "I paid 35350 dollars")).toEqual([]);
    expect(found(detector, "what is your zip code?")).toEqual([]);
  });
});

describe("US driver licence detector", () => {
  const detector = createDriverLicenseDetector();
  it("finds ids after driver's license or DL", () => {
    expect(found(detector, "my driver's license number is 2270-66-1551")).toEqual(["US_DRIVER_LICENSE:2270-66-1551"]);
    expect(found(detector, "DL: F162823540116")).toEqual(["US_DRIVER_LICENSE:F162823540116"]);
  });
  it("needs the context and at least four digits", () => {
    expect(found(detector, "ticket 2270-66-1551")).toEqual([]);
    expect(found(detector, "driver's license is expired")).toEqual([]);
  });
});
