import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { KeelError } from "@keel/spec";
import { isPrivateAddress } from "./private-address.ts";

/**
 * One allow-list entry: an origin ("https://hooks.example.com") allows every path on it; a URL
 * with a path ("https://example.com/hooks/") allows that path and below it. Loopback and
 * private addresses are refused unless the entry names them: its host is such an IP literal or
 * `localhost`, or it sets `allowPrivateNetwork`.
 */
export type WebhookAllowEntry = string | { url: string; allowPrivateNetwork?: boolean };

/** Every address a host name resolves to (DNS). Injectable for tests of rebinding. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export interface ResolvedTarget {
  url: URL;
  /** The checked address the request must connect to (pinned: no second DNS lookup). */
  address: string;
  family: 4 | 6;
}

export interface WebhookPolicy {
  /** The parsed URL when the allow-list admits it; BAD_REQUEST otherwise. Checks no DNS. */
  match(rawUrl: string): { url: URL; allowPrivateNetwork: boolean };
  /** match() plus DNS: every address the host resolves to must be allowed. BAD_REQUEST otherwise. */
  resolve(rawUrl: string): Promise<ResolvedTarget>;
}

interface Rule {
  origin: string;
  /** Path prefix ending in "/", or undefined for the whole origin. */
  pathPrefix: string | undefined;
  allowPrivateNetwork: boolean;
}

const FIELD = "webhook.url";

function refuse(message: string, reason: string): KeelError {
  return new KeelError("BAD_REQUEST", message, { details: { field: FIELD, reason } });
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets.
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

function parseHttpUrl(raw: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username !== "" || url.password !== "") return undefined;
  return url;
}

function toRule(entry: WebhookAllowEntry): Rule {
  const raw = typeof entry === "string" ? entry : entry.url;
  const url = parseHttpUrl(raw);
  if (url?.search !== "" || url.hash !== "") {
    throw new KeelError("BAD_REQUEST", `webhook allow-list entry "${raw}" must be an http(s) origin or URL prefix`, {
      details: { field: "webhooks.allow" },
    });
  }
  const host = hostOf(url);
  const namesPrivate =
    (isIP(host) !== 0 && isPrivateAddress(host)) || host === "localhost" || host.endsWith(".localhost");
  const explicit = typeof entry === "string" ? false : entry.allowPrivateNetwork === true;
  const path = url.pathname;
  return {
    origin: url.origin,
    pathPrefix: path === "/" ? undefined : path.endsWith("/") ? path : `${path}/`,
    allowPrivateNetwork: explicit || namesPrivate,
  };
}

function admits(rule: Rule, url: URL): boolean {
  if (url.origin !== rule.origin) return false;
  if (rule.pathPrefix === undefined) return true;
  // "/hooks" admits "/hooks" and "/hooks/..." but never "/hooks-evil".
  return url.pathname === rule.pathPrefix.slice(0, -1) || url.pathname.startsWith(rule.pathPrefix);
}

const resolveWithDns: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export function createWebhookPolicy(options: { allow: WebhookAllowEntry[]; resolveHost?: ResolveHost }): WebhookPolicy {
  const rules = options.allow.map(toRule);
  const resolveHost = options.resolveHost ?? resolveWithDns;

  const match = (rawUrl: string) => {
    const url = parseHttpUrl(rawUrl);
    if (!url) throw refuse("the webhook URL must be an http(s) URL without credentials", "invalid-url");
    const rule = rules.find((candidate) => admits(candidate, url));
    if (!rule) throw refuse("the webhook URL is not on the operator's allow-list", "not-allowed");
    return { url, allowPrivateNetwork: rule.allowPrivateNetwork };
  };

  return {
    match,
    async resolve(rawUrl) {
      const { url, allowPrivateNetwork } = match(rawUrl);
      const host = hostOf(url);
      let addresses: string[];
      try {
        addresses = isIP(host) !== 0 ? [host] : await resolveHost(host);
      } catch {
        throw refuse("the webhook host does not resolve", "unresolvable");
      }
      const first = addresses[0];
      if (first === undefined) throw refuse("the webhook host does not resolve", "unresolvable");
      // Every address must pass, or a name with one public and one private address could be
      // steered to the private one.
      if (!allowPrivateNetwork && addresses.some(isPrivateAddress)) {
        throw refuse("the webhook host resolves to a private or loopback address", "private-address");
      }
      return { url, address: first, family: isIP(first) === 6 ? 6 : 4 };
    },
  };
}
