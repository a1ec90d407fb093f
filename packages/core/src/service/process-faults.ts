/**
 * Counters of faults outside any request: a server's own errors (an accept that failed
 * when file descriptors ran out), connections dropped past `maxConnections`, and promise
 * rejections nobody handled. Process-wide, because the process is what they threaten;
 * every host appends them to its /metrics text.
 */
const counts = {
  unhandledRejections: 0,
  serverErrors: new Map<string, number>(),
  droppedConnections: new Map<string, number>(),
};

export const processFaults = {
  unhandledRejection(): void {
    counts.unhandledRejections += 1;
  },
  serverError(service: string): void {
    counts.serverErrors.set(service, (counts.serverErrors.get(service) ?? 0) + 1);
  },
  droppedConnection(service: string): void {
    counts.droppedConnections.set(service, (counts.droppedConnections.get(service) ?? 0) + 1);
  },
  unhandledRejections: (): number => counts.unhandledRejections,
  serverErrors: (service: string): number => counts.serverErrors.get(service) ?? 0,
  droppedConnections: (service: string): number => counts.droppedConnections.get(service) ?? 0,
};

/** The counters in Prometheus text format (appended to the pipeline's own metrics). */
export function processFaultsText(): string {
  const lines = [
    "# HELP keel_process_unhandled_rejections_total Promise rejections no code handled (logged; the process kept serving).",
    "# TYPE keel_process_unhandled_rejections_total counter",
    `keel_process_unhandled_rejections_total ${counts.unhandledRejections}`,
    "# HELP keel_http_server_errors_total Errors of a service's HTTP server itself (not of a request).",
    "# TYPE keel_http_server_errors_total counter",
    ...[...counts.serverErrors].map(
      ([service, count]) => `keel_http_server_errors_total{service="${service}"} ${count}`,
    ),
    "# HELP keel_http_connections_dropped_total Connections refused because services.http.maxConnections were open.",
    "# TYPE keel_http_connections_dropped_total counter",
    ...[...counts.droppedConnections].map(
      ([service, count]) => `keel_http_connections_dropped_total{service="${service}"} ${count}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

export interface ProcessGuardOptions {
  /** Where a fault is reported: one line, no prompt text (the reason's message only). */
  error: (line: string) => void;
}

let installed = false;

/**
 * The process-level policy (docs/architecture.md): an unhandled rejection is a bug in
 * one request's path, not a broken process, so it is logged, counted and the process
 * keeps serving the others. An uncaught exception leaves state nobody can vouch for
 * (a half-written stream, a lock held): it is logged and the process exits 1 for its
 * supervisor to restart it, as Node's default would, but with a line saying why.
 * Installed once per process, by runMain.
 */
export function installProcessGuards(options: ProcessGuardOptions): void {
  if (installed) return;
  installed = true;
  process.on("unhandledRejection", (reason) => {
    processFaults.unhandledRejection();
    options.error(`unhandled promise rejection (kept serving): ${describe(reason)}`);
  });
  process.on("uncaughtException", (error) => {
    options.error(`uncaught exception, state unknown; exiting: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}

function describe(reason: unknown): string {
  if (reason instanceof Error) {
    const code = (reason as { code?: unknown }).code;
    const requestId = (reason as { details?: { requestId?: unknown } }).details?.requestId;
    return [
      `${reason.name}: ${reason.message.slice(0, 300)}`,
      typeof code === "string" ? `code=${code}` : "",
      typeof requestId === "string" ? `requestId=${requestId}` : "",
    ]
      .filter(Boolean)
      .join(" ");
  }
  return String(reason).slice(0, 300);
}
