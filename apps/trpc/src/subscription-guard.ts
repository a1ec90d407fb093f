import type { IncomingMessage } from "node:http";
import type { AnyRouter } from "@trpc/server";
import { KeelError } from "@keel/spec";

/**
 * Subscriptions start upstream calls over a plain GET (Server-Sent Events), which any page
 * could trigger with an `<img src>` or `<script src>` tag. Core's request guard refuses
 * requests a browser marks cross-site (Origin, Sec-Fetch-Site); this check covers browsers
 * that send neither: a GET subscription must ask for `text/event-stream`, which EventSource
 * always does and an image or script tag never can.
 */
export function createSubscriptionGuard(router: AnyRouter, basePath: string) {
  const subscriptions = new Set<string>();
  for (const [path, procedure] of Object.entries(router._def.procedures as Record<string, { _def: { type: string } }>))
    if (procedure._def.type === "subscription") subscriptions.add(path);

  return (request: IncomingMessage): KeelError | undefined => {
    if (request.method !== "GET" || request.url === undefined) return undefined;
    const paths = request.url.slice(basePath.length).split("?", 1)[0] ?? "";
    const startsSubscription = paths.split(",").some((path) => subscriptions.has(safeDecode(path)));
    if (!startsSubscription || (request.headers.accept ?? "").includes("text/event-stream")) return undefined;
    return new KeelError("BAD_REQUEST", "a subscription over GET needs the header Accept: text/event-stream", {
      details: { reason: "not-event-stream" },
    });
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
