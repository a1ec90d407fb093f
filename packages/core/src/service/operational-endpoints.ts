import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { KeelError } from "@keel/spec";
import type { AdminSettings } from "../config/services-schema.ts";
import type { Pipeline } from "../pipeline/create-pipeline.ts";
import { processFaultsText } from "./process-faults.ts";
import { sendJson } from "./send-json.ts";

export interface OperationalEndpointOptions {
  name: string;
  pipeline: Pipeline;
  admin: AdminSettings;
  /** False on a service listener when an admin listener serves /readyz and /metrics instead. */
  serveProbes: boolean;
  errorBody: (error: KeelError) => unknown;
}

/** Answers GET /healthz, /readyz and /metrics; returns false for anything else. */
export type OperationalEndpoints = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * /healthz (liveness: "ok" and the service name, nothing else) is always open. /readyz
 * and /metrics tell route names, breaker states, Redis errors and traffic figures: with
 * `services.admin.token` they need it as a Bearer token; without one they answer loopback
 * peers only, so a service bound to 0.0.0.0 does not hand them to the network.
 */
export function createOperationalEndpoints(options: OperationalEndpointOptions): OperationalEndpoints {
  const { pipeline, admin, errorBody } = options;
  const token = admin.token === undefined ? undefined : Buffer.from(`Bearer ${admin.token}`);
  const refusal = (request: IncomingMessage): KeelError | undefined => {
    if (token !== undefined) {
      const presented = Buffer.from(request.headers.authorization ?? "");
      if (presented.length === token.length && timingSafeEqual(presented, token)) return undefined;
      return new KeelError("UNAUTHENTICATED", "this endpoint needs the admin token (Authorization: Bearer ...)", {
        details: { reason: "admin-token" },
      });
    }
    if (isLoopback(request.socket.remoteAddress)) return undefined;
    return new KeelError("FORBIDDEN", "this endpoint answers loopback callers only; configure services.admin.token", {
      details: { reason: "loopback-only" },
    });
  };

  return (request, response) => {
    if (request.method !== "GET") return false;
    const path = request.url?.split("?", 1)[0];
    if (path === "/healthz") {
      sendJson(response, 200, { status: "ok", service: options.name });
      return true;
    }
    if (!options.serveProbes || (path !== "/readyz" && path !== "/metrics")) return false;
    const refused = refusal(request);
    if (refused !== undefined) {
      sendJson(response, refused.code === "UNAUTHENTICATED" ? 401 : 403, errorBody(refused));
      return true;
    }
    if (path === "/readyz") void answerReadiness(pipeline, response);
    else void answerMetrics(pipeline, response);
    return true;
  };
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

async function answerReadiness(pipeline: Pipeline, response: ServerResponse): Promise<void> {
  try {
    const readiness = await pipeline.readiness();
    sendJson(response, readiness.ready ? 200 : 503, readiness);
  } catch {
    sendJson(response, 503, { ready: false, checks: {} });
  }
}

async function answerMetrics(pipeline: Pipeline, response: ServerResponse): Promise<void> {
  const body = await pipeline.metricsText().catch(() => "");
  response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  response.end(`${body}${body === "" || body.endsWith("\n") ? "" : "\n"}${processFaultsText()}`);
}
