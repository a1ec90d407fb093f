import { randomBytes } from "node:crypto";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A fresh API key in Keel's format (`keel_<12 lowercase letters or digits>_<secret>`), for
 * the services' KEEL_BOOTSTRAP_ADMIN_KEY: every stream then passes the key check at the
 * edge, as a production caller's does. Spelt out here so bench/ needs no governance package.
 */
export function generateBenchKey(): string {
  const id = Array.from(randomBytes(12), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join("");
  return `keel_${id}_${randomBytes(32).toString("base64url")}`;
}
