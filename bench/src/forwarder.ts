/**
 * The floor for a Node gateway: a bare node:http forwarder. Per request it parses the JSON
 * body, forwards `{ model, messages }` to an OpenAI-compatible upstream over a keep-alive
 * agent, parses the answer and replies with a small JSON envelope. No validation, no
 * retries, no logs: what any Node gateway pays at least.
 *
 *   node --import tsx bench/src/forwarder.ts --port 5000 --upstream http://127.0.0.1:4100/v1/chat/completions
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { port: { type: "string" }, upstream: { type: "string" } },
});
const upstream = new URL(values.upstream ?? "http://127.0.0.1:4100/v1/chat/completions");
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

interface ChatCompletion {
  id: string;
  model: string;
  choices: { message: { content: string } }[];
  usage: unknown;
}

const server = createServer((incoming, outgoing) => {
  if (incoming.method === "GET") return answer(outgoing, 200, { status: "ok" });
  readBody(incoming).then(
    (text) => {
      const body = parseJson(text) as { model: string; messages: unknown } | undefined;
      if (body === undefined) answer(outgoing, 400, { error: "bad body" });
      else forward(body, outgoing);
    },
    () => answer(outgoing, 400, { error: "bad body" }),
  );
});
server.keepAliveTimeout = 5_000;
server.listen(Number(values.port ?? 5000), "127.0.0.1", () => {
  // The benchmark waits for this process to answer GET /healthz; every path forwards a POST.
});

function forward(body: { model: string; messages: unknown }, outgoing: ServerResponse): void {
  const payload = Buffer.from(JSON.stringify({ model: body.model, messages: body.messages }));
  const call = httpRequest(
    {
      agent,
      hostname: upstream.hostname,
      port: upstream.port,
      path: upstream.pathname,
      method: "POST",
      headers: { "content-type": "application/json", "content-length": payload.length },
    },
    (reply) => {
      readBody(reply).then(
        (text) => {
          const completion = parseJson(text) as ChatCompletion | undefined;
          if (reply.statusCode !== 200 || completion === undefined) return answer(outgoing, 502, { error: "upstream" });
          answer(outgoing, 200, {
            id: completion.id,
            model: completion.model,
            content: completion.choices[0]?.message.content ?? "",
            usage: completion.usage,
          });
        },
        () => answer(outgoing, 502, { error: "upstream" }),
      );
    },
  );
  call.on("error", () => answer(outgoing, 502, { error: "upstream" }));
  call.end(payload);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readBody(message: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on("data", (chunk: Buffer) => chunks.push(chunk));
    message.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    message.on("error", reject);
  });
}

function answer(outgoing: ServerResponse, status: number, body: unknown): void {
  if (outgoing.headersSent) return;
  const text = JSON.stringify(body);
  outgoing.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  outgoing.end(text);
}

process.on("SIGTERM", () => server.close(() => process.exit(0)));
