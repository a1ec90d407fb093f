import { describe, expect, it } from "vitest";
import { found } from "../test-support/found.ts";
import { shannonEntropy } from "./entropy.ts";
import { createSecretsDetector } from "./secrets-detector.ts";

const detector = createSecretsDetector();
const base64url = (value: string): string => Buffer.from(value).toString("base64url");
const token = `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url('{"sub":"42"}')}.c2lnbmF0dXJlLWJ5dGVz`;

describe("secrets detector", () => {
  it("finds provider keys by prefix", () => {
    expect(found(detector, "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345")).toEqual([
      "OPENAI_KEY:sk-proj-abcdefghijklmnopqrstuvwxyz012345",
    ]);
    expect(found(detector, "key AKIAIOSFODNN7EXAMPLE")).toEqual(["AWS_ACCESS_KEY:AKIAIOSFODNN7EXAMPLE"]);
    expect(found(detector, "ghp_abcdefghijklmnopqrstuvwxyz0123456789")).toEqual([
      "GITHUB_TOKEN:ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ]);
    expect(found(detector, "github_pat_11ABCDEFG0123456789_abcdefghijklmnop")).toEqual([
      "GITHUB_TOKEN:github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
    ]);
    expect(found(detector, "xoxb-123456789012-abcdefghij")).toEqual(["SLACK_TOKEN:xoxb-123456789012-abcdefghij"]);
    expect(found(detector, '"sk_live_4eC39HqLyjWDarjtT1zdp7dc"')).toEqual([
      "STRIPE_KEY:sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ]);
  });

  it("finds private-key blocks, JWTs and AWS secrets with context", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    expect(found(detector, `here:\n${pem}\nthanks`)).toEqual([`PRIVATE_KEY:${pem}`]);
    expect(found(detector, `Authorization: Bearer ${token}`)).toEqual([`JWT:${token}`]);
    expect(found(detector, "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toEqual([
      "AWS_SECRET_KEY:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ]);
  });

  it("flags random-looking tokens only near a key word", () => {
    expect(found(detector, "password: Xk29fjQ0pL8zR7vB2nT5yW1e")).toEqual([
      "HIGH_ENTROPY_SECRET:Xk29fjQ0pL8zR7vB2nT5yW1e",
    ]);
    expect(found(detector, "the build Xk29fjQ0pL8zR7vB2nT5yW1e passed")).toEqual([]);
  });

  it("leaves look-alikes alone", () => {
    expect(found(detector, "sk-short and sk_live_ and AKIA1234")).toEqual([]);
    expect(found(detector, "token: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")).toEqual([]); // no entropy
    expect(found(detector, "api key docs at /usr/local/lib/node_modules/pkg")).toEqual([]);
    expect(found(detector, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----")).toEqual([]);
    expect(found(detector, "eyJub3QiOiJqd3QifQ.eyJzdWIiOiI0MiJ9.c2ln")).toEqual([]); // header has no alg or typ
  });

  it("measures entropy in bits per character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
  });
});
