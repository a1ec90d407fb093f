import { readJsonBody } from "../http/read-json-body.ts";
import { callOptionsOf, type Exchange, type ServiceParts } from "../http/exchange.ts";
import { keelHeaders } from "../http/keel-extras.ts";
import { readKeelOptions } from "../http/keel-options.ts";
import { sendJson } from "../http/send.ts";
import { toChatCompletion } from "./completion.ts";
import { streamChat } from "./stream-chat.ts";
import { toChatCall } from "./to-chat-request.ts";

/** `POST /v1/chat/completions`: one `chat.completion`, or with `stream: true` its chunks over SSE. */
export async function handleChat(parts: ServiceParts, exchange: Exchange): Promise<void> {
  const options = readKeelOptions(exchange.request);
  const call = toChatCall(await readJsonBody(exchange.request, parts.maxBodyBytes), options);
  if (call.stream) return streamChat(parts, exchange, { call, envelope: options.envelope });
  const generation = await parts.pipeline.generate(call.request, {
    ...callOptionsOf(exchange),
    signal: exchange.signal,
  });
  sendJson(exchange.response, 200, {
    body: toChatCompletion(generation, { envelope: options.envelope }),
    headers: keelHeaders(generation),
  });
}
