import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startRedisServer } from "./index.ts";

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().trim());
    });
    socket.once("error", reject);
  });
}

describe("startRedisServer", () => {
  it("starts a real server, survives a kill and a restart on the same port", async () => {
    const redis = await startRedisServer();
    try {
      expect(await ping(redis.port)).toBe("+PONG");
      await redis.kill();
      await expect(ping(redis.port)).rejects.toThrow();
      await redis.start();
      expect(await ping(redis.port)).toBe("+PONG");
    } finally {
      await redis.stop();
    }
  });
});
