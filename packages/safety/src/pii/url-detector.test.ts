import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { createUrlDetector } from "./url-detector.ts";

const detector = createUrlDetector();

describe("URL and domain detector", () => {
  it("finds links with a scheme or www, trimming sentence punctuation", () => {
    expect(found(detector, "My website is http://www.ScrapbookInsider.com.pt/")).toEqual([
      "URL:http://www.ScrapbookInsider.com.pt/",
    ]);
    expect(found(detector, "see (https://example.org/a?b=1).")).toEqual(["URL:https://example.org/a?b=1"]);
    expect(found(detector, "www.example.co.uk, then")).toEqual(["URL:www.example.co.uk"]);
  });

  it("finds bare domains with a known top-level domain", () => {
    expect(found(detector, "hosted at shop.example.com now")).toEqual(["DOMAIN_NAME:shop.example.com"]);
  });

  it("leaves file names, abbreviations, versions and e-mail domains alone", () => {
    expect(found(detector, "run setup.py then open README.md")).toEqual([]);
    expect(found(detector, "e.g. this, i.e. that")).toEqual([]);
    expect(found(detector, "version 1.2.3")).toEqual([]);
    expect(found(detector, "mail joe@example.com")).toEqual([]);
  });
});
