/** Key names whose values are secrets wherever they appear, compared in lower case. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  "apikey",
  "api_key",
  "api-key",
  "x-api-key",
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "password",
  "secret",
  "clientsecret",
  "client_secret",
  "accesstoken",
  "access_token",
  "refreshtoken",
  "refresh_token",
  "token",
]);

const CENSOR = "[REDACTED]";
const MAX_DEPTH = 8;

/**
 * Replaces the values of secret keys at any depth, copying only the objects on the way to
 * a secret: a log object without secrets is returned as it is, with no allocation. pino's
 * `redact` covers fixed paths cheaply but its wildcards cost tens to hundreds of
 * microseconds per line, so "anywhere" is done here instead.
 */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const scrubbed = scrubSecrets(item, depth + 1);
      if (scrubbed !== item) {
        copy ??= value.slice();
        copy[index] = scrubbed;
      }
    }
    return (copy ?? value) as T;
  }
  const prototype = Object.getPrototypeOf(value);
  // Errors, dates, buffers and class instances are left to pino's serializers.
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    let scrubbed: unknown;
    if (SECRET_KEYS.has(key) || SECRET_KEYS.has(key.toLowerCase())) scrubbed = item === undefined ? item : CENSOR;
    else scrubbed = scrubSecrets(item, depth + 1);
    if (scrubbed !== item) {
      copy ??= { ...record };
      copy[key] = scrubbed;
    }
  }
  return (copy ?? value) as T;
}
