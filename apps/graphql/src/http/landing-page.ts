import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * What a browser gets at the GraphQL URL (a GET that asks for HTML and carries no
 * query): a short page that says how to call the service, instead of a JSON error about
 * cross-site request forgery.
 */
export function wantsLandingPage(request: IncomingMessage, search: string): boolean {
  if (request.method !== "GET" || new URLSearchParams(search).has("query")) return false;
  return /\btext\/html\b/i.test(request.headers.accept ?? "");
}

export function sendLandingPage(response: ServerResponse, options: { request: IncomingMessage; path: string }): void {
  // The Host header is the caller's: escaped before it goes into the page.
  const url = escapeHtml(`http://${options.request.headers.host ?? "127.0.0.1:4000"}${options.path}`);
  const query =
    '{"query":"mutation { generate(input: { model: \\"gpt-4o-mini\\", messages: [{ role: USER, content: \\"Hi\\" }] }) { content costUsd } }"}';
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Keel GraphQL</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}code,pre{background:#f4f4f4;padding:.1rem .3rem}pre{padding:.8rem;overflow-x:auto}</style>
</head>
<body>
<h1>Keel GraphQL service</h1>
<p>This URL takes GraphQL queries and mutations as <strong>POST</strong> requests with a JSON body
<code>{"query": "...", "variables": {...}}</code> and the header <code>content-type: application/json</code>.
Subscriptions (streamed answers) use the graphql-ws protocol over a WebSocket at this same URL.</p>
<pre>curl -s ${url} -H 'content-type: application/json' \\
  -d '${escapeHtml(query)}'</pre>
<p>Health: <a href="/healthz">/healthz</a> · readiness: <a href="/readyz">/readyz</a> · Prometheus metrics: <a href="/metrics">/metrics</a></p>
</body>
</html>
`;
  response.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  response.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
