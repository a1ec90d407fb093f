import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenAI-compatible upstream that answers every chat call with one tool call and
 * records the bodies it received. The simulator does not simulate tool calls; this one
 * only does that, over real HTTP, so a test sees what Keel forwarded and what came back.
 */
export async function startToolUpstream(): Promise<{
  url: string;
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}> {
  const bodies: Record<string, unknown>[] = [];
  const call = { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      bodies.push(body);
      const base = { id: "chatcmpl-tool", created: 1, model: String(body.model) };
      const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };
      if (body.stream !== true) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            ...base,
            object: "chat.completion",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: null, tool_calls: [call] },
                finish_reason: "tool_calls",
              },
            ],
            usage,
          }),
        );
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream" });
      const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
      const chunk = (delta: unknown, finish: string | null) => ({
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      send(chunk({ role: "assistant", content: null }, null));
      send(
        chunk(
          {
            tool_calls: [
              { index: 0, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
            ],
          },
          null,
        ),
      );
      send(chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }, null));
      send(chunk({}, "tool_calls"));
      send({ ...base, object: "chat.completion.chunk", choices: [], usage });
      response.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
