import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { KeelError } from "@keel/spec";

export interface RequestGuardOptions {
  /** The address the service is bound to: its name is always an accepted Host. */
  boundHost: string;
  /** Further Host names; ".example.com" accepts subdomains, "*" any host. */
  allowedHosts: readonly string[];
  /** Browser origins allowed besides the service's own; "*" any. */
  allowedOrigins: readonly string[];
}

/** Checks a request's headers before anything else runs; a refusal is the KeelError to answer with. */
export type RequestGuard = (headers: IncomingHttpHeaders) => KeelError | undefined;

/**
 * Two checks against browsers used as a weapon, on every request and WebSocket upgrade:
 *
 * - DNS rebinding: a page on "evil.example", rebound to 127.0.0.1, reaches the service with
 *   `Host: evil.example`. Accepted Host names are localhost forms, IP literals (rebinding
 *   needs a name), the bound host and `allowedHosts`.
 * - Cross-site requests: a page's fetch, form or WebSocket carries an `Origin`; only the
 *   service's own origin and `allowedOrigins` pass. An `<img>` or `<script>` tag sends no
 *   Origin, but browsers mark it `Sec-Fetch-Site: cross-site` (or `same-site`), which is
 *   refused too. Non-browser clients send neither header and are unaffected.
 */
export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const bound = options.boundHost.toLowerCase();
  const hosts = options.allowedHosts.map((host) => host.toLowerCase());
  const anyOrigin = options.allowedOrigins.includes("*");
  const origins = new Set(options.allowedOrigins.map(normaliseOrigin));

  const hostAllowed = (name: string): boolean =>
    isIP(name) !== 0 ||
    name === "localhost" ||
    name.endsWith(".localhost") ||
    name === bound ||
    hosts.some((host) => host === "*" || host === name || (host.startsWith(".") && name.endsWith(host)));

  return (headers) => {
    const host = headers.host;
    if (host !== undefined) {
      const name = hostName(host);
      if (name === undefined || !hostAllowed(name)) {
        return forbidden(`the Host header "${truncate(host)}" is not one this service answers to`, {
          reason: "host-not-allowed",
          hint: "add it to services.http.allowedHosts",
        });
      }
    }
    const origin = headers.origin;
    if (origin !== undefined) {
      if (anyOrigin || origins.has(normaliseOrigin(origin)) || isSameOrigin(origin, host)) return undefined;
      return forbidden(`requests from the web origin "${truncate(origin)}" are not allowed`, {
        reason: "origin-not-allowed",
        hint: "add it to services.http.allowedOrigins",
      });
    }
    const site = headers["sec-fetch-site"];
    if (site === "cross-site" || site === "same-site") {
      return forbidden("cross-site browser requests are not allowed", { reason: "cross-site-request" });
    }
    return undefined;
  };
}

/** The name of a Host header value, lower case, without port or IPv6 brackets; undefined when malformed. */
function hostName(host: string): string | undefined {
  const value = host.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end === -1 ? undefined : value.slice(1, end);
  }
  const colon = value.indexOf(":");
  const name = colon === -1 ? value : value.slice(0, colon);
  return /^[a-z0-9.-]+$/.test(name) ? name : undefined;
}

/** A page served by this very service (scheme aside): its Origin's host:port is the request's Host. */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

function normaliseOrigin(origin: string): string {
  if (origin === "null") return origin;
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

function forbidden(message: string, details: Record<string, unknown>): KeelError {
  return new KeelError("FORBIDDEN", message, { details });
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}
