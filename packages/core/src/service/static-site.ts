import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

/** A folder of built files served under a path of a service host (the dashboard at `/dashboard`). */
export interface StaticSite {
  /** Where it is served: "/dashboard". */
  path: string;
  /** The built files (index.html, assets/...). */
  directory: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

// The site talks only to its own origin; no inline script or style, no framing.
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * Answers GET and HEAD under the site's path from its folder; returns false for any
 * other URL so the service handles it. `path` redirects to `path/`, which serves
 * index.html. Only files inside the folder are read (no `..`, no encoded escapes); a
 * missing file is 404. Vite's hashed assets are cached for a year, index.html never.
 */
export function createStaticSiteHandler(site: StaticSite) {
  const prefix = site.path.replace(/\/+$/, "");
  const root = normalize(site.directory);
  return async function handleStatic(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const path = request.url?.split("?", 1)[0] ?? "";
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return false;
    if (request.method !== "GET" && request.method !== "HEAD") {
      sendText(response, 405, "method not allowed");
      return true;
    }
    if (path === prefix) {
      response.writeHead(308, { location: `${prefix}/` });
      response.end();
      return true;
    }
    const file = resolveFile(root, path.slice(prefix.length + 1));
    if (file === undefined) {
      sendText(response, 404, "not found");
      return true;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      sendText(
        response,
        404,
        file.endsWith("index.html") ? "the dashboard is not built: pnpm --filter @keel/dashboard build" : "not found",
      );
      return true;
    }
    const hashed = file.includes(`${sep}assets${sep}`);
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": body.length,
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    });
    response.end(request.method === "HEAD" ? undefined : body);
    return true;
  };
}

function resolveFile(root: string, relative: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative === "" ? "index.html" : relative);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const file = normalize(join(root, decoded));
  return file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`) ? file : undefined;
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
