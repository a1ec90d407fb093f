import { isIPv6 } from "node:net";

/**
 * A host as it goes into a URL: an IPv6 literal in brackets (`::1` -> `[::1]`), anything
 * else as it is. Every URL Keel builds from a configured host goes through this, so
 * KEEL_HOST=::1 gives `http://[::1]:4100/v1`, not an address nobody can parse.
 */
export function urlHost(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

/** `http://host:port` with the host bracketed when it is an IPv6 literal. */
export function httpOrigin(host: string, port: number): string {
  return `http://${urlHost(host)}:${port}`;
}
