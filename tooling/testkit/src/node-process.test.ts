import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort, startNodeProcess } from "./index.ts";

const cwd = fileURLToPath(new URL("..", import.meta.url));

describe("startNodeProcess", () => {
  it("starts a TypeScript entry in its own process, waits until it answers, reads its peak RSS and stops it", async () => {
    const port = await freePort();
    const hello = await startNodeProcess({
      name: "hello",
      entry: "src/test-support/hello-server.ts",
      env: { PORT: String(port) },
      cwd,
      readyUrl: `http://127.0.0.1:${port}/`,
    });
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("hello");
      expect(hello.peakRssMiB()).toBeGreaterThan(1);
    } finally {
      await hello.stop();
    }
    expect(hello.child.signalCode).toBe("SIGTERM");
    await hello.stop();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it("fails with the exit code when the process dies before it answers", async () => {
    const port = await freePort();
    await expect(
      startNodeProcess({
        name: "failing",
        entry: "src/test-support/hello-server.ts",
        env: { PORT: String(port), FAIL_AT_START: "1" },
        cwd,
        readyUrl: `http://127.0.0.1:${port}/`,
      }),
    ).rejects.toThrow(`http://127.0.0.1:${port}/: the process exited with code 3`);
  });
});
