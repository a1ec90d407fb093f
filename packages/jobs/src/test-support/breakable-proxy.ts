import { connect, createServer, type Socket } from "node:net";

/** A TCP proxy on loopback in front of a real server, whose connections a test can break. */
export interface BreakableProxy {
  /** `redis://127.0.0.1:<proxy port>` */
  readonly url: string;
  /**
   * Destroys every open connection and refuses new ones until `heal()`, as a node that went
   * away would; the client sees "connection closed" and its reconnects fail.
   */
  break(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startBreakableProxy(target: { host: string; port: number }): Promise<BreakableProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        const address = server.address();
        resolve(address !== null && typeof address === "object" ? address.port : port);
      });
    });
  const port = await listen(0);
  let listening: Promise<unknown> = Promise.resolve();
  // Not listening while broken: a reconnect is refused (ECONNREFUSED), as with a dead node. An
  // accepted-then-closed connection would not do: the client counts it as connected.
  return {
    url: `redis://127.0.0.1:${port}`,
    break() {
      if (server.listening) server.close();
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      if (!server.listening) listening = listen(port);
    },
    async close() {
      await listening.catch(() => undefined);
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
