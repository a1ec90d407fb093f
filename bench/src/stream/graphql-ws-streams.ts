import WebSocket from "ws";
import type { StreamCall, StreamOutcome } from "./stream-outcome.ts";

export interface GraphqlWsStreamsOptions {
  url: string;
  /** The connection_init payload: the caller's key (`{ authorization: "Bearer keel_..." }`), as a client sends it. */
  connectionParams: Record<string, string>;
  /** The subscription document; every stream sends the same one. */
  query: string;
  /** WebSocket connections the streams are spread over (round robin), as a few busy clients would. */
  connections: number;
  timeoutMs: number;
}

export interface GraphqlWsStreams {
  call: StreamCall;
  close(): void;
}

interface Pending {
  outcome: StreamOutcome;
  resolve: (outcome: StreamOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * Streams over graphql-ws (the `graphql-transport-ws` protocol) spoken by hand on `ws`:
 * a fixed pool of connections, each initialised once, with many subscriptions
 * multiplexed on each by id. `next` messages with a DELTA count as content, DONE as
 * success; ERROR events, `error` messages and a closed socket as failures.
 */
export async function openGraphqlWsStreams(options: GraphqlWsStreamsOptions): Promise<GraphqlWsStreams> {
  const sockets = await Promise.all(
    Array.from({ length: options.connections }, () => connect(options.url, options.connectionParams)),
  );
  const pending = new Map<string, Pending>();
  let nextId = 0;

  const settle = (id: string, failure?: string) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    clearTimeout(entry.timer);
    entry.outcome.endedAt = performance.now();
    if (!entry.outcome.ok) entry.outcome.failure = failure ?? "no-final-event";
    entry.resolve(entry.outcome);
  };

  for (const socket of sockets) {
    socket.on("message", (raw: Buffer) => {
      const message = JSON.parse(raw.toString("utf8")) as {
        type: string;
        id?: string;
        payload?: { data?: { generateStream?: { type: string; error?: { code: string } } }; errors?: unknown };
      };
      const entry = message.id === undefined ? undefined : pending.get(message.id);
      if (!entry || message.id === undefined) return;
      if (message.type === "next") {
        const event = message.payload?.data?.generateStream;
        if (event?.type === "DELTA") {
          if (entry.outcome.contentEvents === 0) entry.outcome.firstContentAt = performance.now();
          entry.outcome.contentEvents += 1;
        } else if (event?.type === "DONE") {
          entry.outcome.ok = true;
        } else if (event?.type === "ERROR") {
          settle(message.id, event.error?.code ?? "error-event");
        } else if (message.payload?.errors) {
          settle(message.id, "graphql-errors");
        }
      } else if (message.type === "complete") {
        settle(message.id);
      } else if (message.type === "error") {
        settle(message.id, "graphql-error");
      }
    });
    socket.on("close", () => {
      for (const id of [...pending.keys()]) settle(id, "socket-closed");
    });
  }

  return {
    call: () =>
      new Promise<StreamOutcome>((resolve) => {
        nextId += 1;
        const id = String(nextId);
        const socket = sockets[nextId % sockets.length] as WebSocket;
        const outcome: StreamOutcome = { ok: false, firstContentAt: Number.NaN, endedAt: 0, contentEvents: 0 };
        const timer = setTimeout(() => {
          socket.send(JSON.stringify({ id, type: "complete" }));
          settle(id, "timeout");
        }, options.timeoutMs);
        pending.set(id, { outcome, resolve, timer });
        socket.send(JSON.stringify({ id, type: "subscribe", payload: { query: options.query } }));
      }),
    close: () => {
      for (const socket of sockets) socket.close();
    },
  };
}

function connect(url: string, payload: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    socket.once("error", reject);
    socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init", payload })));
    socket.once("message", (raw: Buffer) => {
      const message = JSON.parse(raw.toString("utf8")) as { type: string };
      if (message.type === "connection_ack") resolve(socket);
      else reject(new Error(`graphql-ws: expected connection_ack, got ${message.type}`));
    });
  });
}
