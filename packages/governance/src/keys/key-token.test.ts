import { describe, expect, it } from "vitest";
import { NAUGHTY_STRINGS } from "../test-support/naughty-strings.ts";
import {
  formatApiKey,
  generateApiKey,
  generateKeyId,
  generateSecret,
  hashSecret,
  parseApiKey,
  redactApiKey,
  secretMatches,
} from "./key-token.ts";

describe("API key tokens", () => {
  it("formats keel_<id>_<secret> with a 12-character id and a 43-character base64url secret (32 bytes)", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^keel_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key);
    expect(parsed).toBeDefined();
    expect(formatApiKey(parsed!)).toBe(key);
    expect(Buffer.from(parsed!.secret, "base64url")).toHaveLength(32);
  });

  it("parses secrets that contain the separator, since the id has a fixed length", () => {
    const secret = `_${"a".repeat(20)}_-${"b".repeat(21)}`;
    expect(parseApiKey(`keel_abcdefghij12_${secret}`)).toEqual({ id: "abcdefghij12", secret });
  });

  it("draws ids from the whole alphabet without a visible bias", () => {
    const counts = new Map<string, number>();
    for (let round = 0; round < 10_000; round++) {
      for (const character of generateKeyId()) counts.set(character, (counts.get(character) ?? 0) + 1);
    }
    expect(counts.size).toBe(36);
    // 120,000 draws: 3,333 per character expected (σ ≈ 57). A plain byte % 36 would give the first
    // four characters 8/256 each, ~3,750: outside these ±5σ bounds (a false alarm about once in 50,000 runs).
    for (const count of counts.values()) expect(count).toBeGreaterThan(3_048);
    for (const count of counts.values()) expect(count).toBeLessThan(3_618);
    expect(new Set(Array.from({ length: 1_000 }, generateSecret)).size).toBe(1_000);
  });

  it("rejects every naughty string and near-misses of the format, without throwing", () => {
    for (const text of NAUGHTY_STRINGS) expect(parseApiKey(text)).toBeUndefined();
    const good = generateApiKey();
    const nearMisses = [
      good.toUpperCase(),
      good.slice(0, -1),
      `${good} `,
      ` ${good}`,
      good.replace("keel_", "keel-"),
      `keel_ABCDEFGHIJKL_${"a".repeat(43)}`,
      `keel_abcdefghijk_${"a".repeat(44)}`,
      `keel_abcdefghijkl_${"a".repeat(42)}`,
      `keel_abcdefghijkl_${"a".repeat(257)}`,
      `keel_abcdefghijkl_${"a".repeat(42)}=`,
      `${good}\n`,
      good.replace(/.$/, "\u0000"),
    ];
    for (const text of nearMisses) expect(parseApiKey(text)).toBeUndefined();
    for (const value of [undefined, null, 42, {}, ["keel_"]]) expect(parseApiKey(value)).toBeUndefined();
  });

  it("stores sha256 of id and secret and compares it in constant time", () => {
    const parsed = parseApiKey(generateApiKey())!;
    const stored = hashSecret(parsed);
    expect(stored).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stored).not.toContain(parsed.secret);
    expect(secretMatches(stored, parsed)).toBe(true);
    const lastChanged = parsed.secret.slice(0, -1) + (parsed.secret.endsWith("x") ? "y" : "x");
    expect(secretMatches(stored, { ...parsed, secret: lastChanged })).toBe(false);
    expect(secretMatches(stored, { id: "zzzzzzzzzzzz", secret: parsed.secret })).toBe(false);
    expect(secretMatches("sha256:abcd", parsed)).toBe(false);
    expect(secretMatches("md5:whatever", parsed)).toBe(false);
  });

  it("redacts a key to its id for logs", () => {
    const key = generateApiKey();
    const redacted = redactApiKey(key);
    expect(redacted).toBe(`keel_${parseApiKey(key)!.id}_…`);
    expect(redactApiKey("not a key at all")).toBe("[redacted]");
  });
});
