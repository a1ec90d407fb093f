/**
 * The streaming benchmark's upstream: an OpenAI-compatible `/v1/chat/completions` that
 * answers every streamed call the same way, with no model work, so its own cost stays
 * far below a service's: a role chunk and the first content chunk at once, the other
 * content chunks `gapMs` apart, then a finish chunk, a usage chunk and `[DONE]`. A call
 * without `stream: true` gets the whole answer as JSON (the services' warm-up and
 * readiness never need more). `GET /_sim/health` answers 200, as the simulator's does.
 *
 *   node --import tsx bench/src/stream/mock-upstream.ts --port 4100 [--chunks 8] [--gap-ms 5]
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4100" },
    chunks: { type: "string", default: "8" },
    "gap-ms": { type: "string", default: "5" },
  },
});
const chunkCount = Number(values.chunks);
const gapMs = Number(values["gap-ms"]);
// Plain prose without digits or names: the output guard holds back digit groups and
// capitalised words that could still grow into personal data, which would hide the
// per-chunk path this benchmark measures.
const words = "the old lighthouse keeps its light burning through every long and stormy night".split(" ");
const pieces = Array.from({ length: chunkCount }, (_, index) => `${words[index % words.length]} `);
const created = Math.floor(Date.now() / 1000);

/** One SSE frame per chunk, built once: every stream sends the same bytes. */
function frame(body: object): Buffer {
  return Buffer.from(`data: ${JSON.stringify(body)}\n\n`);
}
function chunk(model: string, delta: object, finishReason: string | null = null): object {
  return {
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}
const framesByModel = new Map<string, { first: Buffer; content: Buffer[]; last: Buffer }>();
function framesFor(model: string) {
  let frames = framesByModel.get(model);
  if (!frames) {
    const usage = { prompt_tokens: 12, completion_tokens: chunkCount, total_tokens: 12 + chunkCount };
    frames = {
      first: Buffer.concat([
        frame(chunk(model, { role: "assistant", content: "" })),
        frame(chunk(model, { content: pieces[0] })),
      ]),
      content: pieces.slice(1).map((piece) => frame(chunk(model, { content: piece }))),
      last: Buffer.concat([
        frame(chunk(model, {}, "stop")),
        frame({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model, choices: [], usage }),
        Buffer.from("data: [DONE]\n\n"),
      ]),
    };
    framesByModel.set(model, frames);
  }
  return frames;
}

function stream(response: ServerResponse, model: string): void {
  const frames = framesFor(model);
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  response.write(frames.first);
  let next = 0;
  const tick = () => {
    if (response.destroyed) return;
    const content = frames.content[next];
    next += 1;
    if (content) {
      response.write(content);
      setTimeout(tick, gapMs);
    } else {
      response.end(frames.last);
    }
  };
  setTimeout(tick, gapMs);
}

function answer(response: ServerResponse, model: string): void {
  const body = JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: pieces.join("") }, finish_reason: "stop" }],
    usage: { prompt_tokens: 12, completion_tokens: chunkCount, total_tokens: 12 + chunkCount },
  });
  response.writeHead(200, { "content-type": "application/json" }).end(body);
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  if (request.method === "GET" && request.url?.startsWith("/_sim/health")) {
    response.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
    response.writeHead(404).end();
    return;
  }
  const parts: Buffer[] = [];
  request.on("data", (part: Buffer) => parts.push(part));
  request.on("end", () => {
    let body: { model?: string; stream?: boolean };
    try {
      body = JSON.parse(Buffer.concat(parts).toString("utf8"));
    } catch {
      response.writeHead(400).end();
      return;
    }
    const model = body.model ?? "gpt-4o-mini";
    if (body.stream) stream(response, model);
    else answer(response, model);
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, handle);
server.listen(Number(values.port), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
