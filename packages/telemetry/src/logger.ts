import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** pino level; default "info". */
  level?: string;
  /** Where lines go; default stdout. Tests pass a stream that captures lines. */
  destination?: DestinationStream;
  /** Added to every line as `service`. */
  serviceName?: string;
  /** More key names to redact at any depth up to four levels, on top of the built-in secret names. */
  redactKeys?: string[];
}

/** Key names whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = [
  "apiKey",
  "api_key",
  "apikey",
  "authorization",
  "Authorization",
  "x-api-key",
  "cookie",
  "set-cookie",
  "password",
  "secret",
  "clientSecret",
  "accessToken",
  "refreshToken",
  "token",
];

// fast-redact (behind pino's `redact`) has no "any depth" wildcard, so each key is
// listed at depths 0 to 3. Bracket notation keeps keys with dashes valid paths.
function redactPaths(keys: readonly string[]): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const leaf = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
    paths.push(leaf.startsWith(".") ? key : leaf);
    paths.push(`*${leaf}`, `*.*${leaf}`, `*.*.*${leaf}`);
  }
  return paths;
}

/** A pino logger that removes API keys, Authorization headers and other secret fields at any depth up to four levels. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: options.serviceName === undefined ? null : { service: options.serviceName },
      redact: { paths: redactPaths([...SECRET_KEYS, ...(options.redactKeys ?? [])]), censor: "[REDACTED]" },
      // pino's own `err` serializer would write stacks and causes; request lines carry
      // a sanitized code and message instead, so anything passed as `err` is reduced the same way.
      serializers: { err: serializeError, error: serializeError },
    },
    options.destination ?? pino.destination(1),
  );
}

function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return { type: value.name, code: typeof code === "string" ? code : undefined };
}
