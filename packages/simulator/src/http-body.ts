import type { IncomingMessage, ServerResponse } from "node:http";
import { errorBody } from "./wire-format.ts";

/** Larger bodies are refused: a simulator has no business holding more. */
export const MAX_BODY_CHARACTERS = 32 * 1024 * 1024;

export type ParsedBody = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/** Reads and parses a JSON request body; the callback runs once, unless the client goes away first. */
export function readJsonBody(request: IncomingMessage, done: (body: ParsedBody) => void): void {
  let text = "";
  let tooLarge = false;
  request.setEncoding("utf8");
  request.on("data", (chunk: string) => {
    if (tooLarge) return;
    text += chunk;
    if (text.length > MAX_BODY_CHARACTERS) {
      tooLarge = true;
      text = "";
    }
  });
  request.on("end", () => {
    if (tooLarge) {
      done({ ok: false, status: 413, message: `The request body is larger than ${MAX_BODY_CHARACTERS} characters.` });
      return;
    }
    try {
      done({ ok: true, value: JSON.parse(text) });
    } catch {
      done({
        ok: false,
        status: 400,
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
          "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      });
    }
  });
  // A client that goes away mid-body is counted where the response closes; nothing to answer.
  request.on("error", () => undefined);
}

/** A JSON answer outside the /v1 bookkeeping (the control API, plain 404s). */
export function sendPlainJson(response: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  response.writeHead(status, ["content-type", "application/json", "content-length", Buffer.byteLength(text)]);
  response.end(text);
}

export function invalidUrlBody(method: string | undefined, path: string): string {
  return errorBody({ message: `Invalid URL (${method ?? "GET"} ${path})`, type: "invalid_request_error" });
}
