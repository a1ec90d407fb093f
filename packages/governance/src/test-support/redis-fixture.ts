import { startRedisServer, type RedisServerHandle } from "@keel/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";

export interface RedisFixture {
  readonly server: RedisServerHandle;
  /** A client of the test's own (offline queue on, so it waits for the connection). Closed after the file. */
  client(): Redis;
}

/** A real redis-server for this test file, started before its tests and stopped after them. */
export function useRedisServer(): RedisFixture {
  let server: RedisServerHandle | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error("the redis-server fixture is used before beforeAll ran");
      return server;
    },
    client() {
      if (!server) throw new Error("the redis-server fixture is used before beforeAll ran");
      const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
      client.on("error", () => {}); // a test that kills the server expects the errors
      clients.push(client);
      return client;
    },
  };
}

let prefixCounter = 0;
/** A key prefix of its own for each test, so tests sharing one redis-server never meet. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${process.pid}:${++prefixCounter}:`;
}
