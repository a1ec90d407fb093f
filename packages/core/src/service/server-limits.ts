import { createServer, type Server } from "node:http";
import type { HttpLimits } from "../config/services-schema.ts";
import { processFaults } from "./process-faults.ts";

/**
 * An HTTP server with the connection limits of `services.http`: bounded connections, head
 * size, time to send headers and the whole request (slowloris), keep-alive lifetime. Node
 * checks the header and request timeouts on an interval (30 s by default), so it is set
 * from the shortest of them.
 */
export function createLimitedServer(limits: HttpLimits): Server {
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  });
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  return server;
}

/**
 * A listener that stays for the server's whole life. Without one, an error the server
 * emits after it listens (an accept failing with EMFILE under a connection flood) has no
 * listener and Node throws it, ending the process and every WebSocket with it. The error
 * is counted and reported; the server keeps accepting once descriptors are free again.
 * Installed once the server listens, so a failure to listen still rejects the start.
 */
export function keepServing(server: Server, options: { service: string; report: (line: string) => void }): void {
  server.on("error", (error: NodeJS.ErrnoException) => {
    processFaults.serverError(options.service);
    options.report(`${options.service}: server error (kept serving): ${error.code ?? error.message}`);
  });
  server.on("drop", () => processFaults.droppedConnection(options.service));
}
