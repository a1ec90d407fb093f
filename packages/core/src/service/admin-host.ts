import type { AddressInfo } from "node:net";
import { KeelError } from "@keel/spec";
import type { Pipeline } from "../pipeline/create-pipeline.ts";
import { httpOrigin } from "../net/url-host.ts";
import { createOperationalEndpoints } from "./operational-endpoints.ts";
import { createRequestGuard } from "./request-guard.ts";
import { sendJson } from "./send-json.ts";
import { createLimitedServer, keepServing } from "./server-limits.ts";
import { listenError } from "./startup-error.ts";

export interface AdminHost {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The admin listener (`services.admin.port`): GET /healthz, /readyz and /metrics on an
 * address of their own (loopback by default), so the services' listeners carry no
 * operational data. The admin token, when configured, is needed here too. Returns
 * undefined when no admin port is configured (the services then serve the endpoints).
 */
export async function startAdminHost(pipeline: Pipeline): Promise<AdminHost | undefined> {
  const settings = pipeline.config.services;
  const { admin } = settings;
  if (admin.port === undefined) return undefined;
  const server = createLimitedServer(settings.http);
  const guard = createRequestGuard({
    boundHost: admin.host,
    allowedHosts: settings.http.allowedHosts,
    allowedOrigins: [],
  });
  const errorBody = (error: KeelError) => ({ error: error.toJSON() });
  const operational = createOperationalEndpoints({ name: "admin", pipeline, admin, serveProbes: true, errorBody });
  server.on("request", (request, response) => {
    const refused = guard(request.headers);
    if (refused !== undefined) return sendJson(response, 403, errorBody(refused));
    if (operational(request, response)) return;
    sendJson(
      response,
      404,
      errorBody(new KeelError("BAD_REQUEST", "the admin listener serves /healthz, /readyz and /metrics")),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(listenError(error, { service: "admin", host: admin.host, port: admin.port ?? 0 })),
    );
    server.listen(admin.port, admin.host, () => resolve());
  });
  keepServing(server, { service: "admin", report: (line) => console.error(line) });
  const port = (server.address() as AddressInfo).port;
  return {
    url: httpOrigin(admin.host, port),
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
