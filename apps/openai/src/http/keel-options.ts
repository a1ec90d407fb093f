import type { IncomingMessage } from "node:http";
import type { ChatRequestInput } from "@keel/core";
import { KeelError, type CacheMode } from "@keel/spec";

/**
 * Keel's per-request options, which OpenAI's body has no place for, as request headers:
 *
 * - `x-keel-cache-mode`: default | bypass | refresh | only-if-cached
 * - `x-keel-cache-ttl-seconds`: a whole number of seconds for the entry this request stores
 * - `x-keel-idempotent`: true | false; true lets the route's hedging start a second target
 * - `x-keel-envelope`: true adds Keel's envelope to the body as `keel`
 */
export const KEEL_REQUEST_HEADERS = {
  cacheMode: "x-keel-cache-mode",
  cacheTtlSeconds: "x-keel-cache-ttl-seconds",
  idempotent: "x-keel-idempotent",
  envelope: "x-keel-envelope",
} as const;

export interface KeelRequestOptions {
  /** Fields of Keel's ChatRequest the headers set. */
  request: Pick<ChatRequestInput, "cache" | "idempotent">;
  /** Whether the body carries the `keel` object. */
  envelope: boolean;
}

const CACHE_MODES: readonly CacheMode[] = ["default", "bypass", "refresh", "only-if-cached"];

/** Reads Keel's headers; a bad value is BAD_REQUEST naming the header. */
export function readKeelOptions(request: IncomingMessage): KeelRequestOptions {
  const options: KeelRequestOptions = {
    request: {},
    envelope: readBoolean(request, KEEL_REQUEST_HEADERS.envelope) ?? false,
  };
  const mode = header(request, KEEL_REQUEST_HEADERS.cacheMode);
  const ttl = header(request, KEEL_REQUEST_HEADERS.cacheTtlSeconds);
  if (mode !== undefined && !CACHE_MODES.includes(mode as CacheMode)) {
    throw badHeader(KEEL_REQUEST_HEADERS.cacheMode, `expected one of ${CACHE_MODES.join(", ")}, received "${mode}"`);
  }
  if (ttl !== undefined && !/^[1-9]\d{0,7}$/.test(ttl)) {
    throw badHeader(KEEL_REQUEST_HEADERS.cacheTtlSeconds, `expected a positive whole number, received "${ttl}"`);
  }
  if (mode !== undefined || ttl !== undefined) {
    options.request.cache = {
      ...(mode === undefined ? {} : { mode: mode as CacheMode }),
      ...(ttl === undefined ? {} : { ttlSeconds: Number(ttl) }),
    };
  }
  const idempotent = readBoolean(request, KEEL_REQUEST_HEADERS.idempotent);
  if (idempotent !== undefined) options.request.idempotent = idempotent;
  return options;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? undefined : text.trim();
}

function readBoolean(request: IncomingMessage, name: string): boolean | undefined {
  const value = header(request, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw badHeader(name, `expected true or false, received "${value}"`);
}

function badHeader(name: string, message: string): KeelError {
  return new KeelError("BAD_REQUEST", `header ${name}: ${message}`, {
    details: { field: `header:${name}`, reason: "bad-header" },
  });
}
