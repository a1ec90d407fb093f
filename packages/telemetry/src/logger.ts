import { pino, type DestinationStream, type Logger } from "pino";
import { scrubSecrets } from "./scrub.ts";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** pino level; default "info". */
  level?: string;
  /** Where lines go; default stdout. Tests pass a stream that captures lines. */
  destination?: DestinationStream;
  /**
   * Stdout only (no `destination`): above 0, lines are gathered and written together once
   * BUFFERED_LOG_BYTES have gathered or this many milliseconds have passed, whichever comes
   * first, and synchronously when the process exits (process.exit, a handled SIGINT/SIGTERM,
   * an uncaught exception). A SIGKILL or a native crash loses at most this interval's lines.
   * Default 0: every line is written on its own (one write system call each).
   */
  flushIntervalMs?: number;
  /** Added to every line as `service`, unless the line sets its own. */
  serviceName?: string;
  /** More pino redact paths (e.g. "body.credentials"), on top of the built-in ones and the any-depth secret keys. */
  redactPaths?: string[];
}

// Fixed paths pino's `redact` handles cheaply (no wildcards: each wildcard costs tens of
// microseconds per line). Secrets at any other place are caught by `scrubSecrets`.
const REDACT_PATHS = [
  "apiKey",
  "authorization",
  "password",
  "token",
  "headers.authorization",
  'headers["x-api-key"]',
  "headers.cookie",
  "request.headers.authorization",
  'request.headers["x-api-key"]',
  "config.apiKey",
  "options.apiKey",
  "provider.apiKey",
];

/** A pino logger that removes API keys, Authorization headers and other secret fields wherever they are in a logged object. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: null,
      // A mixin rather than `base`: base fields are written as they are, so a request line
      // that names its own service ("trpc") would carry two `service` keys. The line's wins.
      ...(options.serviceName === undefined
        ? {}
        : { mixin: serviceMixin(options.serviceName), mixinMergeStrategy: keepOwnService }),
      redact: { paths: [...REDACT_PATHS, ...(options.redactPaths ?? [])], censor: "[REDACTED]" },
      formatters: { log: (object) => scrubSecrets(object) },
      // pino's own `err` serializer would write stacks and causes; request lines carry
      // a sanitized code and message instead, so anything passed as `err` is reduced the same way.
      serializers: { err: serializeError, error: serializeError },
    },
    options.destination ?? stdoutDestination(options.flushIntervalMs ?? 0),
  );
}

/**
 * What a buffered stdout gathers before it writes at once: about twenty request lines,
 * well under sonic-boom's 16 KiB largest write, so a burst is one system call per 8 KiB.
 */
export const BUFFERED_LOG_BYTES = 8_192;

/**
 * pino's asynchronous stdout (sonic-boom), registered with pino's exit hook so whatever it
 * holds is written synchronously on exit. Unbuffered, each line is one `fs.write` through
 * libuv's thread pool (~40 µs of CPU a line on a VM where system calls are dear,
 * bench/README.md); buffered, one write per BUFFERED_LOG_BYTES or per interval.
 */
function stdoutDestination(flushIntervalMs: number): DestinationStream {
  if (!(flushIntervalMs > 0)) return pino.destination(1);
  return pino.destination({ dest: 1, sync: false, minLength: BUFFERED_LOG_BYTES, periodicFlush: flushIntervalMs });
}

function serviceMixin(serviceName: string): () => { service: string } {
  return () => ({ service: serviceName });
}

/**
 * pino's default merge copies every field of the line onto the mixin's object (about 2 µs a
 * request line, measured, and a slower object to serialise); a line that names its own
 * service (every request line) needs nothing from the mixin and goes out as it is, with the
 * same fields in the same order. A request line without one has the key, undefined, in the
 * first place: the mixin's value goes there. Any other line gets the mixin's fields first.
 */
function keepOwnService(line: object, mixed: object): object {
  const own = line as { service?: unknown };
  if (own.service !== undefined) return line;
  if ("service" in own) {
    own.service = (mixed as { service?: unknown }).service;
    return line;
  }
  return Object.assign(mixed, line);
}

function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return { type: value.name, code: typeof code === "string" ? code : undefined };
}
