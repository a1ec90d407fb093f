import type { BatchRecord, BatchStore, StoredFile } from "./batch-store.ts";
import type { Exchange } from "./exchange.ts";
import { parseMultipart } from "./multipart.ts";

const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
const ENDPOINTS = new Set(["/v1/chat/completions"]);

/** The parts of OpenAI's Files and Batch APIs the simulator serves; false for any other path. */
export function handleBatchApi(
  exchange: Exchange,
  route: { method: string; path: string; store: BatchStore },
): boolean {
  const { method, path, store } = route;
  const segments = path.split("/").slice(2).map(decodeURIComponent); // ["files", id?, "content"?]
  const [collection, id, action] = segments;
  if (collection === "files") {
    if (method === "POST" && id === undefined) uploadFile(exchange, store);
    else if (method === "GET" && id !== undefined && action === undefined)
      withFile(exchange, { store, id }, (file) => sendFile(exchange, file));
    else if (method === "GET" && id !== undefined && action === "content")
      withFile(exchange, { store, id }, (file) => {
        exchange.response.writeHead(200, [
          "content-type",
          "application/octet-stream",
          "content-length",
          file.content.length,
        ]);
        exchange.response.end(file.content);
      });
    else return false;
    return true;
  }
  if (collection === "batches") {
    if (method === "POST" && id === undefined) createBatch(exchange, store);
    else if (method === "GET" && id === undefined) listBatches(exchange, store);
    else if (method === "GET" && id !== undefined && action === undefined)
      withBatch(exchange, { store, id }, (batch) => sendBatch(exchange, batch));
    else if (method === "POST" && id !== undefined && action === "cancel")
      withBatch(exchange, { store, id }, (batch) => {
        if (store.cancel(batch)) sendBatch(exchange, batch);
        else exchange.sendError(409, { message: `Cannot cancel a batch with status '${batch.status}'.` });
      });
    else return false;
    return true;
  }
  return false;
}

function sendFile(exchange: Exchange, file: StoredFile): void {
  const { content: _content, ...fields } = file;
  exchange.sendJson(200, JSON.stringify(fields));
}

/** GET /v1/batches: every batch, newest first, on one page (the SDK's `batches.list()`); lets a test count submissions. */
function listBatches(exchange: Exchange, store: BatchStore): void {
  exchange.request.resume();
  const data = [...store.batches.values()].reverse();
  exchange.sendJson(
    200,
    JSON.stringify({
      object: "list",
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: false,
    }),
  );
}

function sendBatch(exchange: Exchange, batch: BatchRecord): void {
  exchange.sendJson(200, JSON.stringify(batch));
}

function withFile(
  exchange: Exchange,
  target: { store: BatchStore; id: string },
  use: (file: StoredFile) => void,
): void {
  const { store, id } = target;
  exchange.request.resume();
  const file = store.files.get(id);
  if (file === undefined) exchange.sendError(404, { message: `No such File object: ${id}`, param: "id" });
  else use(file);
}

function withBatch(
  exchange: Exchange,
  target: { store: BatchStore; id: string },
  use: (batch: BatchRecord) => void,
): void {
  const { store, id } = target;
  exchange.request.resume();
  const batch = store.batches.get(id);
  if (batch === undefined) exchange.sendError(404, { message: `No batch found with id '${id}'.`, param: "batch_id" });
  else use(batch);
}

function readBody(exchange: Exchange, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  exchange.request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_UPLOAD_BYTES) chunks.push(chunk);
  });
  exchange.request.on("end", () => done(size <= MAX_UPLOAD_BYTES ? Buffer.concat(chunks) : undefined));
  exchange.request.on("error", () => undefined);
}

/** POST /v1/files: multipart with `purpose` and `file`. */
function uploadFile(exchange: Exchange, store: BatchStore): void {
  readBody(exchange, (body) => {
    if (body === undefined) {
      exchange.sendError(413, { message: `The file is larger than ${MAX_UPLOAD_BYTES} bytes.` });
      return;
    }
    const parts = parseMultipart(body, exchange.request.headers["content-type"]);
    if (parts === undefined) {
      exchange.sendError(400, { message: "The body must be multipart/form-data with 'file' and 'purpose'." });
      return;
    }
    const file = parts.find((part) => part.name === "file" && part.filename !== undefined);
    const purpose = parts.find((part) => part.name === "purpose")?.data.toString("utf8");
    if (purpose === undefined || purpose === "") {
      exchange.sendError(400, {
        message: "Missing required parameter: 'purpose'.",
        param: "purpose",
        code: "missing_required_parameter",
      });
      return;
    }
    if (file === undefined) {
      exchange.sendError(400, {
        message: "Missing required parameter: 'file'.",
        param: "file",
        code: "missing_required_parameter",
      });
      return;
    }
    sendFile(exchange, store.addFile({ filename: file.filename ?? "upload", purpose, content: file.data }));
  });
}

/** POST /v1/batches: `{ input_file_id, endpoint, completion_window, metadata? }`. */
function createBatch(exchange: Exchange, store: BatchStore): void {
  readBody(exchange, (body) => {
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(body?.toString("utf8") ?? "") as Record<string, unknown>;
      if (typeof fields !== "object" || fields === null) throw new Error("not an object");
    } catch {
      exchange.sendError(400, { message: "We could not parse the JSON body of your request." });
      return;
    }
    const { input_file_id: inputFileId, endpoint, completion_window: completionWindow, metadata } = fields;
    if (typeof inputFileId !== "string") return missing(exchange, "input_file_id");
    if (typeof endpoint !== "string") return missing(exchange, "endpoint");
    if (typeof completionWindow !== "string") return missing(exchange, "completion_window");
    if (!ENDPOINTS.has(endpoint)) {
      exchange.sendError(400, {
        message: `The simulator's batches support ${[...ENDPOINTS].join(", ")} only.`,
        param: "endpoint",
      });
      return;
    }
    if (completionWindow !== "24h") {
      exchange.sendError(400, {
        message: "Invalid value for 'completion_window': only '24h' is supported.",
        param: "completion_window",
      });
      return;
    }
    const file = store.files.get(inputFileId);
    if (file === undefined) {
      exchange.sendError(404, { message: `No such File object: ${inputFileId}`, param: "input_file_id" });
      return;
    }
    if (file.purpose !== "batch") {
      exchange.sendError(400, {
        message: `File ${inputFileId} must be uploaded with purpose 'batch'.`,
        param: "input_file_id",
      });
      return;
    }
    sendBatch(exchange, store.createBatch({ inputFileId, endpoint, completionWindow, metadata }));
  });
}

function missing(exchange: Exchange, param: string): void {
  exchange.sendError(400, {
    message: `Missing required parameter: '${param}'.`,
    param,
    code: "missing_required_parameter",
  });
}
