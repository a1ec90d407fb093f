import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createTelemetry, type AlertNotification } from "./index.ts";
import { captureLines } from "./test-support/telemetry-fixtures.ts";

interface Receiver {
  url: string;
  received: AlertNotification[];
  statuses: number[];
  close(): Promise<void>;
}

/** A real HTTP receiver that answers each POST with the next status in `statuses` (then 200). */
async function startReceiver(plan: number[]): Promise<Receiver> {
  const received: AlertNotification[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const status = plan.shift() ?? 200;
      statuses.push(status);
      received.push(JSON.parse(body) as AlertNotification);
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["x-hook-token"]).toBe("t0ken");
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    received,
    statuses,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe("alert webhook", () => {
  it("POSTs each fire and resolve as JSON, retrying a failed delivery with backoff", async () => {
    receiver = await startReceiver([500]);
    const lines = captureLines();
    const telemetry = createTelemetry({
      serviceName: "keel-test",
      log: { destination: lines },
      alerts: {
        evaluateEveryMs: 0,
        webhook: { url: receiver.url, backoffMs: 20, headers: { "x-hook-token": "t0ken" } },
      },
    });
    telemetry.events.emit({ type: "circuit-open", target: "openai/gpt-4o" });
    telemetry.events.emit({ type: "circuit-close", target: "openai/gpt-4o" });
    await telemetry.flush();
    expect(receiver.statuses).toEqual([500, 200, 200]);
    expect(receiver.received.map((notification) => notification.status)).toEqual(["firing", "firing", "resolved"]);
    expect(receiver.received[1]).toMatchObject({
      version: 1,
      service: "keel-test",
      status: "firing",
      alert: { rule: "provider-availability", key: "provider-availability:openai/gpt-4o", target: "openai/gpt-4o" },
    });
    expect(receiver.received[2]!.alert.resolvedAt).toEqual(expect.any(String));
    const delivered = lines.records().filter((line) => line.msg === "alert webhook delivered");
    expect(delivered.map((line) => line.attempts)).toEqual([2, 1]);
    await telemetry.close();
  });

  it("gives up after maxAttempts and says so on the log", async () => {
    receiver = await startReceiver([503, 503, 503, 503]);
    const lines = captureLines();
    const telemetry = createTelemetry({
      log: { destination: lines },
      alerts: {
        evaluateEveryMs: 0,
        webhook: { url: receiver.url, backoffMs: 10, maxAttempts: 3, headers: { "x-hook-token": "t0ken" } },
      },
    });
    telemetry.events.emit({ type: "health-probe", target: "openai/gpt-4o", ok: false, durationMs: 1 });
    await telemetry.flush();
    expect(receiver.statuses).toEqual([503, 503, 503]);
    expect(lines.records().find((line) => line.msg === "alert webhook not delivered")).toMatchObject({
      reason: "HTTP 503",
      status: "firing",
    });
    await telemetry.close();
  });
});
