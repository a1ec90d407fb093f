import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { handleBatchApi } from "./batch-api.ts";
import { BatchStore } from "./batch-store.ts";
import { handleChatCompletion } from "./chat-completions.ts";
import { computeChatResult } from "./chat-result.ts";
import { handleControl, type ControlTarget } from "./control-api.ts";
import { handleEmbeddings } from "./embeddings.ts";
import { Exchange } from "./exchange.ts";
import { invalidUrlBody, readJsonBody, sendPlainJson } from "./http-body.ts";
import { createModelCatalogue } from "./model-catalogue.ts";
import { DEFAULT_MODERATION_MODEL, handleModerations } from "./moderations.ts";
import { RuleBook } from "./rule-book.ts";
import { SimulatorRuleError, validateRules } from "./rule-validation.ts";
import { StatsRecorder } from "./stats.ts";
import type { SimulatorHandle, SimulatorOptions, SimulatorStats } from "./types.ts";

export const DEFAULT_SIMULATOR_MODELS: readonly string[] = [
  "gpt-4o-mini",
  "gpt-4o",
  "gpt-4.1-mini",
  "gpt-4.1",
  "o4-mini",
  "text-embedding-3-small",
  "text-embedding-3-large",
  "omni-moderation-latest",
];

/**
 * A socket with no request in progress is closed after this long. Clients such as
 * undici may open a spare connection when a request is aborted; closing it soon lets
 * tests see openConnections return to 0 without waiting for the client's own timeout.
 */
const IDLE_SOCKET_MS = 1000;

type ModelHandler = typeof handleChatCompletion;
const MODEL_ENDPOINTS: Record<string, ModelHandler> = {
  "/v1/chat/completions": handleChatCompletion,
  "/v1/embeddings": handleEmbeddings,
  "/v1/moderations": handleModerations,
};

/** Starts an OpenAI-compatible server on loopback (a free port unless told otherwise). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const catalogue = createModelCatalogue(options.models ?? DEFAULT_SIMULATOR_MODELS);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new SimulatorRuleError("seed", "must be an integer");
  }
  const ruleBook = new RuleBook(options.latency, options.seed);
  ruleBook.replace(validateRules(options.rules ?? [], catalogue.names));
  const stats = new StatsRecorder();
  // Batch lines are answered with the same rule book as live calls, and counted per model too.
  const batches = new BatchStore((body) => {
    if (typeof body.model === "string") stats.recordModel(body.model);
    return computeChatResult(body, { ruleBook, knownModels: catalogue.names, notFound: catalogue.notFound });
  }, options.batch);
  const control: ControlTarget = {
    setRules: (rules) => ruleBook.replace(validateRules(rules, catalogue.names)),
    reset: () => {
      ruleBook.replace([]);
      stats.reset();
    },
    stats: () => stats.snapshot(),
  };

  const answerModelCall = (exchange: Exchange, handler: ModelHandler): void => {
    readJsonBody(exchange.request, (parsed) => {
      if (!parsed.ok) return exchange.sendError(parsed.status, { message: parsed.message });
      const body = parsed.value;
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return exchange.sendError(400, { message: "The request body must be a JSON object." });
      }
      const record = body as Record<string, unknown>;
      const model = record.model ?? (handler === handleModerations ? DEFAULT_MODERATION_MODEL : undefined);
      if (typeof model !== "string") {
        return exchange.sendError(400, { message: "You must provide a model parameter.", param: "model" });
      }
      stats.recordModel(model);
      if (!catalogue.names.has(model)) return exchange.sendError(404, catalogue.notFound(model));
      try {
        handler(exchange, { body: record, model, ruleBook });
      } catch (error) {
        // A bug here must cost one request, not the process every test shares.
        if (exchange.response.headersSent) exchange.destroySocket();
        else exchange.sendError(500, { message: `Simulator error: ${(error as Error).message}` });
      }
    });
  };

  const host = options.host ?? "127.0.0.1";
  const controlApi = options.controlApi ?? isLoopbackHost(host);
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? "/";
    const queryAt = url.indexOf("?");
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (path.startsWith("/_sim/") && controlApi) {
      handleControl(request, response, { path, handle: control });
      return;
    }
    if (!path.startsWith("/v1/")) {
      sendPlainJson(response, 404, invalidUrlBody(request.method, path));
      return;
    }
    const exchange = new Exchange(request, response, stats);
    const handler = request.method === "POST" ? MODEL_ENDPOINTS[path] : undefined;
    if (handler !== undefined) answerModelCall(exchange, handler);
    else if (handleBatchApi(exchange, { method: request.method ?? "GET", path, store: batches })) return;
    else if (request.method === "GET" && (path === "/v1/models" || path.startsWith("/v1/models/")))
      catalogue.serve(exchange, path);
    else exchange.sendError(404, { message: `Invalid URL (${request.method ?? "GET"} ${path})` });
  };

  const server = createServer({ keepAlive: true }, onRequest);
  server.timeout = IDLE_SOCKET_MS;
  server.on("timeout", (socket: Socket) => {
    if (!stats.busySockets.has(socket)) socket.destroy();
  });
  server.on("connection", (socket) => {
    stats.openConnections++;
    socket.once("close", () => stats.openConnections--);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url: `${origin}/v1`,
    origin,
    port,
    setRules: control.setRules,
    reset: control.reset,
    setBatchOptions: (batchOptions) => {
      batches.options = { ...batches.options, ...batchOptions };
    },
    stats: control.stats,
    waitFor: (predicate, timeoutMs = 2000) => waitForStats(control.stats, predicate, timeoutMs),
    close: () =>
      new Promise<void>((resolve, reject) => {
        batches.close();
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung requests and idle keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function waitForStats(
  read: () => SimulatorStats,
  predicate: (stats: SimulatorStats) => boolean,
  timeoutMs: number,
): Promise<SimulatorStats> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const stats = read();
      if (predicate(stats)) resolve(stats);
      else if (Date.now() >= deadline)
        reject(new Error(`Simulator stats did not match within ${timeoutMs} ms; last: ${JSON.stringify(stats)}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/** 127.0.0.0/8, ::1 and localhost: the control API is served there by default. */
function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
