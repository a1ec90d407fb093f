import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API key tokens: `keel_<id>_<secret>`.
 * - id: 12 characters of [a-z0-9] (~62 bits), so it never contains the "_" separator;
 *   it names the record and may appear in logs.
 * - secret: 32 random bytes in base64url (43 characters; operators may give longer ones,
 *   up to 256). Only `sha256:<hex>` of "id:secret" is stored: the secret has 256 bits of
 *   entropy, so a fast hash is enough (no dictionary to slow down), and binding the id
 *   means two keys never share a hash.
 */
export const KEY_ID_LENGTH = 12;
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_BYTES = 32;
const MAX_TOKEN_LENGTH = 5 + KEY_ID_LENGTH + 1 + 256;
const TOKEN_PATTERN = /^keel_([a-z0-9]{12})_([A-Za-z0-9_-]{43,256})$/;
const KEY_ID_PATTERN = /^[a-z0-9]{12}$/;
const HASH_PREFIX = "sha256:";

export interface ParsedApiKey {
  id: string;
  secret: string;
}

/** A fresh key id: uniform over the alphabet (rejection sampling, no modulo bias). */
export function generateKeyId(): string {
  let id = "";
  while (id.length < KEY_ID_LENGTH) {
    for (const byte of randomBytes(KEY_ID_LENGTH * 2)) {
      // 252 = 7 * 36: bytes above it would favour the first letters.
      if (byte < 252 && id.length < KEY_ID_LENGTH) id += ID_ALPHABET[byte % ID_ALPHABET.length];
    }
  }
  return id;
}

export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/** A complete new key string, e.g. for an operator's KEEL_BOOTSTRAP_ADMIN_KEY. */
export function generateApiKey(): string {
  return formatApiKey({ id: generateKeyId(), secret: generateSecret() });
}

export function formatApiKey({ id, secret }: ParsedApiKey): string {
  return `keel_${id}_${secret}`;
}

/** Splits a token into id and secret; undefined for anything that is not exactly a Keel key. */
export function parseApiKey(token: unknown): ParsedApiKey | undefined {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return undefined;
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  return { id: match[1] as string, secret: match[2] as string };
}

export function isKeyId(value: unknown): value is string {
  return typeof value === "string" && KEY_ID_PATTERN.test(value);
}

export function hashSecret({ id, secret }: ParsedApiKey): string {
  return HASH_PREFIX + createHash("sha256").update(`${id}:${secret}`).digest("hex");
}

/** Constant-time comparison of the presented secret's hash with the stored one. */
export function secretMatches(storedHash: string, presented: ParsedApiKey): boolean {
  if (!storedHash.startsWith(HASH_PREFIX)) return false;
  const stored = Buffer.from(storedHash.slice(HASH_PREFIX.length), "hex");
  const computed = createHash("sha256").update(`${presented.id}:${presented.secret}`).digest();
  return stored.length === computed.length && timingSafeEqual(stored, computed);
}

/** The secret-free form for logs and errors: "keel_<id>_…". */
export function redactApiKey(token: string): string {
  const parsed = parseApiKey(token);
  return parsed ? `keel_${parsed.id}_…` : "[redacted]";
}
