import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HTTP_STATUS_BY_CODE, KeelError } from "@keel/spec";
import type { Pipeline, WarmUpReport } from "../pipeline/create-pipeline.ts";
import { readyToServe } from "../edge/exposure-check.ts";
import { httpOrigin } from "../net/url-host.ts";
import type { TrackStream } from "./endable-stream.ts";
import { createOperationalEndpoints } from "./operational-endpoints.ts";
import { createRequestGuard, type RequestGuard } from "./request-guard.ts";
import { sendJson } from "./send-json.ts";
import { createLimitedServer, keepServing } from "./server-limits.ts";
import { listenError } from "./startup-error.ts";
import { createStaticSiteHandler, type StaticSite } from "./static-site.ts";

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface ServiceHostOptions {
  name: string;
  pipeline: Pipeline;
  host: string;
  port: number;
  /**
   * Builds the service on the host before it listens: its request handler, and what it
   * closes during shutdown. The host exists first, so the service can track its streams
   * and read the shutdown state from the start, and nothing is patched on afterwards.
   */
  serve: (host: HostBinding) => HostedService;
  /** How long shutdown waits for in-flight requests and streams before ending them. */
  shutdownGraceMs?: number;
  /**
   * The body of an error the host answers itself (503 while draining, 500 if the handler
   * crashed), in the service's own error shape so its clients can read it. Default
   * `{ error: KeelErrorBody }`.
   */
  errorBody?: (error: KeelError) => unknown;
  /** Where server-level faults are reported (an accept error); default stderr. */
  report?: (line: string) => void;
  /** Folders of built files served under a path before the service sees the request (the dashboard). */
  staticSites?: StaticSite[];
}

/** The host as a service sees it while it is built on it (`serve`), before the host listens. */
export interface HostBinding {
  /** The HTTP server, not yet listening; a WebSocket server may attach to it. */
  readonly server: Server;
  /** Registers a live stream; `close` is called if it outlives the shutdown grace. Returns the unregister function. */
  readonly trackStream: TrackStream;
  /** True from the moment shutdown begins: refuse new streams and connections. */
  readonly isShuttingDown: () => boolean;
  /**
   * The Host and Origin checks every request passes (`services.http`); a WebSocket upgrade,
   * which bypasses the request listener, must run it too.
   */
  readonly guard: RequestGuard;
}

/** What a service puts on the host. */
export interface HostedService {
  handler: RequestHandler;
  /**
   * Runs during shutdown after live streams were told to close, before sockets are
   * destroyed; also when the host fails to listen, so nothing the service started lingers.
   */
  close?(): Promise<void>;
}

export interface ServiceHost extends HostBinding {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** What the pipeline warmed before the host listened (see `Pipeline.warmUp`). */
  readonly warmedUp: WarmUpReport;
  /** Graceful: stop accepting, let in-flight work finish within the grace, then end what is left. */
  shutdown(): Promise<void>;
}

/**
 * The HTTP host both services share: health, readiness and metrics endpoints, in-flight
 * tracking and graceful shutdown. Everything else goes to the service's handler. One
 * construction order: the server, then the service built on it (`serve`), then listen.
 */
export async function startServiceHost(options: ServiceHostOptions): Promise<ServiceHost> {
  const { pipeline } = options;
  // Redis answers, the bootstrap key is in, and a public address with authentication off is refused, before anything listens.
  await readyToServe({ pipeline, host: options.host, service: options.name });
  // The first request would otherwise pay the detectors' first runs and the semantic index's
  // hyperplanes (about 170 ms of CPU with the default policy), a stall every caller queued
  // behind it shares.
  const warmedUp = pipeline.warmUp();
  const errorBody = options.errorBody ?? ((error: KeelError) => ({ error: error.toJSON() }));
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const streams = new Set<(error: KeelError) => void>();
  let inFlight = 0;
  let draining = false;
  let shutdownPromise: Promise<void> | undefined;

  const settings = pipeline.config.services;
  const server = createLimitedServer(settings.http);
  const guard = createRequestGuard({
    boundHost: options.host,
    allowedHosts: settings.http.allowedHosts,
    allowedOrigins: settings.http.allowedOrigins,
  });
  const operational = createOperationalEndpoints({
    name: options.name,
    pipeline,
    admin: settings.admin,
    serveProbes: settings.admin.port === undefined,
    errorBody,
  });
  const binding: HostBinding = {
    server,
    trackStream(close) {
      streams.add(close);
      return () => streams.delete(close);
    },
    isShuttingDown: () => draining,
    guard,
  };
  const service = options.serve(binding);
  const sites = (options.staticSites ?? []).map(createStaticSiteHandler);
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    inFlight += 1;
    response.once("close", () => {
      inFlight -= 1;
    });
    if (draining) {
      response.setHeader("connection", "close");
      sendJson(response, 503, errorBody(shuttingDown()));
      return;
    }
    const refused = guard(request.headers);
    if (refused !== undefined) {
      request.resume();
      return sendJson(response, HTTP_STATUS_BY_CODE[refused.code], errorBody(refused));
    }
    if (operational(request, response)) return;
    if (sites.length > 0) return void serveSiteOrService({ sites, service, request, response, errorBody });
    Promise.resolve(service.handler(request, response)).catch(() => {
      if (!response.headersSent) sendJson(response, 500, errorBody(new KeelError("INTERNAL", "internal error")));
      else response.destroy();
    });
  });
  try {
    await listen(server, options);
  } catch (error) {
    await service.close?.();
    throw error;
  }
  keepServing(server, { service: options.name, report: options.report ?? ((line) => console.error(line)) });
  const port = (server.address() as AddressInfo).port;

  const drain = async () => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const until = Date.now() + graceMs;
    while ((inFlight > 0 || streams.size > 0) && Date.now() < until) await sleep(20);
    const error = shuttingDown();
    for (const close of [...streams]) close(error);
    streams.clear();
    await service.close?.();
    // Give closed streams a moment to flush their final event, then end whatever remains.
    const flushUntil = Date.now() + 500;
    while (inFlight > 0 && Date.now() < flushUntil) await sleep(10);
    server.closeAllConnections();
    await closed;
  };

  return {
    ...binding,
    name: options.name,
    port,
    url: httpOrigin(options.host, port),
    warmedUp,
    shutdown() {
      shutdownPromise ??= drain();
      return shutdownPromise;
    },
  };
}

async function serveSiteOrService(input: {
  sites: ReturnType<typeof createStaticSiteHandler>[];
  service: HostedService;
  request: IncomingMessage;
  response: ServerResponse;
  errorBody: (error: KeelError) => unknown;
}): Promise<void> {
  const { request, response } = input;
  try {
    for (const site of input.sites) if (await site(request, response)) return;
    await input.service.handler(request, response);
  } catch {
    if (!response.headersSent) sendJson(response, 500, input.errorBody(new KeelError("INTERNAL", "internal error")));
    else response.destroy();
  }
}

function listen(server: Server, options: ServiceHostOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: Error) =>
      reject(listenError(error, { service: options.name, host: options.host, port: options.port }));
    server.once("error", failed);
    server.listen(options.port, options.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

function shuttingDown(): KeelError {
  return new KeelError("UPSTREAM_UNAVAILABLE", "the service is shutting down; retry on another instance", {
    retryable: true,
    details: { reason: "shutting-down" },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
