import type { IncomingMessage } from "node:http";
import { unsupportedMediaType } from "@keel/core";
import { KeelError } from "@keel/spec";

/**
 * The request's JSON body, or BAD_REQUEST: not declared as JSON (415), larger than
 * `maxBytes` (413; the rest is read and dropped, so the caller still gets an answer and
 * memory never grows past the limit), or not parseable (400).
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const contentType = request.headers["content-type"];
  if (!isJson(contentType)) {
    request.resume();
    throw unsupportedMediaType(contentType);
  }
  const text = await readText(request, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KeelError("BAD_REQUEST", "malformed JSON body", {
      details: { field: "(body)", reason: "malformed-json" },
    });
  }
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

function tooLarge(maxBytes: number): KeelError {
  return new KeelError("BAD_REQUEST", `request body too large (more than ${maxBytes} bytes)`, {
    details: { field: "(body)", reason: "body-too-large", maxBytes },
  });
}

function readText(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!over) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    const gone = () =>
      reject(new KeelError("BAD_REQUEST", "the request body was cut off", { details: { reason: "aborted" } }));
    request.on("error", gone);
    request.on("aborted", gone);
  });
}
