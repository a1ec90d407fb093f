import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import type { KeelConfigInput } from "../config/schema.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";
import { startAdminHost, type AdminHost } from "./admin-host.ts";
import { processFaults } from "./process-faults.ts";
import { startServiceHost, type ServiceHost } from "./service-host.ts";

/** Issue 12 items 5, 7 and 14: the service host's transport guards and limits, over real sockets. */

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startHost(
  services: KeelConfigInput["services"] = {},
  bind = "127.0.0.1",
): Promise<{ host: ServiceHost; pipeline: Pipeline }> {
  const pipeline = createPipeline(
    parseConfig({
      services,
      providers: { sim: { baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } },
      models: { m: { targets: ["sim/m"] } },
      telemetry: { log: { level: "silent" } },
      // Some of these hosts bind 0.0.0.0; with no key, governance would refuse to listen there.
      auth: { mode: "none" },
    }),
  );
  const host = await startServiceHost({
    name: "hardening",
    pipeline,
    host: bind,
    port: 0,
    serve: () => ({
      handler: (_request, response) => {
        response.end("served");
      },
    }),
    report: () => {},
  });
  closers.push(async () => {
    await host.shutdown();
    await pipeline.close();
  });
  return { host, pipeline };
}

interface Answer {
  status: number;
  text: string;
}

/** One request with exactly these headers (node:http lets a test set Host and Origin, as a browser would). */
function get(url: string, headers: OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { headers, agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    call.on("error", reject);
    call.end();
  });
}

describe("DNS rebinding: the Host header allow-list", () => {
  it("refuses a rebound name with FORBIDDEN before the service runs, and accepts localhost forms and IP literals", async () => {
    const { host } = await startHost();
    const rebound = await get(`${host.url}/anything`, { host: `evil.example:${host.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text)).toMatchObject({
      error: { code: "FORBIDDEN", details: { reason: "host-not-allowed" } },
    });
    for (const name of ["localhost", "127.0.0.1", "[::1]", "app.localhost", "10.1.2.3"]) {
      const answer = await get(`${host.url}/anything`, { host: `${name}:${host.port}` });
      expect({ name, status: answer.status, text: answer.text }).toEqual({ name, status: 200, text: "served" });
    }
  });

  it("accepts the names in services.http.allowedHosts, a leading dot for subdomains", async () => {
    const { host } = await startHost({ http: { allowedHosts: ["keel.internal", ".corp.example"] } });
    expect((await get(`${host.url}/x`, { host: "keel.internal" })).status).toBe(200);
    expect((await get(`${host.url}/x`, { host: "api.corp.example:443" })).status).toBe(200);
    expect((await get(`${host.url}/x`, { host: "corp.example.evil" })).status).toBe(403);
  });
});

describe("browsers: the Origin allow-list", () => {
  it("refuses another web origin and cross-site tags, and serves its own origin and non-browser clients", async () => {
    const { host } = await startHost();
    const foreign = await get(`${host.url}/x`, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.text)).toMatchObject({ error: { details: { reason: "origin-not-allowed" } } });
    // An <img src> sends no Origin, but a browser marks it.
    const imageTag = await get(`${host.url}/x`, { "sec-fetch-site": "cross-site", "sec-fetch-dest": "image" });
    expect(JSON.parse(imageTag.text)).toMatchObject({ error: { details: { reason: "cross-site-request" } } });
    expect((await get(`${host.url}/x`, { origin: `http://127.0.0.1:${host.port}` })).status).toBe(200);
    expect((await get(`${host.url}/x`, { "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await get(`${host.url}/x`)).status).toBe(200);
  });

  it("serves the origins in services.http.allowedOrigins", async () => {
    const { host } = await startHost({ http: { allowedOrigins: ["https://app.example.com"] } });
    expect((await get(`${host.url}/x`, { origin: "https://app.example.com" })).status).toBe(200);
    expect((await get(`${host.url}/x`, { origin: "https://app.example.com.evil" })).status).toBe(403);
  });
});

describe("operational endpoints", () => {
  it("with services.admin.token, /metrics and /readyz need it; /healthz stays open", async () => {
    const token = "an-admin-token-of-32-characters!";
    const { host } = await startHost({ admin: { token } });
    const without = await get(`${host.url}/metrics`);
    expect(without.status).toBe(401);
    expect(JSON.parse(without.text)).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    expect((await get(`${host.url}/readyz`, { authorization: "Bearer wrong" })).status).toBe(401);
    const metrics = await get(`${host.url}/metrics`, { authorization: `Bearer ${token}` });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain("keel_process_unhandled_rejections_total");
    expect((await get(`${host.url}/readyz`, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await get(`${host.url}/healthz`)).status).toBe(200);
  });

  it("with services.admin.port, they move to the admin listener and the service no longer answers them", async () => {
    const { host, pipeline } = await startHost({ admin: { port: 0 } });
    const admin = (await startAdminHost(pipeline)) as AdminHost;
    closers.push(() => admin.close());
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${host.url}/metrics`)).text).toBe("served");
    expect((await get(`${host.url}/readyz`)).text).toBe("served");
    const metrics = await get(`${admin.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain("keel_http_server_errors_total");
    expect((await get(`${admin.url}/readyz`)).status).toBe(200);
    expect((await get(`${admin.url}/generate`)).status).toBe(404);
  });

  it("without a token, a service bound to 0.0.0.0 answers /metrics and /readyz to loopback peers only", async () => {
    const { host } = await startHost({}, "0.0.0.0");
    const external = externalAddress();
    const remote = await get(`http://${external}:${host.port}/metrics`);
    expect(remote.status).toBe(403);
    expect(JSON.parse(remote.text)).toMatchObject({
      error: { code: "FORBIDDEN", details: { reason: "loopback-only" } },
    });
    expect((await get(`http://${external}:${host.port}/readyz`)).status).toBe(403);
    expect((await get(`http://${external}:${host.port}/healthz`)).status).toBe(200);
    expect((await get(`http://127.0.0.1:${host.port}/metrics`)).status).toBe(200);
  });

  it("starts no admin listener when no admin port is configured", async () => {
    const { pipeline } = await startHost();
    expect(await startAdminHost(pipeline)).toBeUndefined();
  });
});

describe("server faults and slow clients", () => {
  it("a server error after listening (an accept failing with EMFILE) is counted and the service keeps serving", async () => {
    const { host } = await startHost();
    const before = processFaults.serverErrors("hardening");
    const acceptFailure = Object.assign(new Error("accept EMFILE"), { code: "EMFILE", syscall: "accept" });
    // Before the fix the host's only 'error' listener was gone once listening: this threw and ended the process.
    expect(() => host.server.emit("error", acceptFailure)).not.toThrow();
    expect(processFaults.serverErrors("hardening")).toBe(before + 1);
    expect((await get(`${host.url}/x`)).text).toBe("served");
    expect((await get(`${host.url}/metrics`)).text).toMatch(
      /keel_http_server_errors_total\{service="hardening"\} [1-9]/,
    );
  });

  it("cuts a client that sends its headers too slowly (slowloris) within headersTimeoutMs", async () => {
    const { host } = await startHost({ http: { headersTimeoutMs: 400 } });
    const socket = connect(host.port, "127.0.0.1");
    const startedAt = Date.now();
    const drip = setInterval(() => socket.write("x-drip: 1\r\n"), 50);
    socket.write("GET /x HTTP/1.1\r\nHost: localhost\r\n");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString();
    });
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    clearInterval(drip);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });

  it("answers 431 to a request head past maxHeaderBytes", async () => {
    const { host } = await startHost({ http: { maxHeaderBytes: 4_096 } });
    expect((await get(`${host.url}/x`, { "x-big": "a".repeat(8_000) })).status).toBe(431);
    expect((await get(`${host.url}/x`)).status).toBe(200);
  });

  it("drops connections past maxConnections and counts them, serving again once they close", async () => {
    const { host } = await startHost({ http: { maxConnections: 3 } });
    const before = processFaults.droppedConnections("hardening");
    const idle = await Promise.all([1, 2, 3].map(() => openSocket(host.port)));
    const extra = await openSocket(host.port);
    await new Promise<void>((resolve) => extra.once("close", () => resolve()));
    expect(processFaults.droppedConnections("hardening")).toBe(before + 1);
    for (const socket of idle) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await get(`${host.url}/x`)).text).toBe("served");
  });
});

function openSocket(port: number): Promise<ReturnType<typeof connect>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** An address of this machine that is not loopback, as a peer on the network would reach it. */
function externalAddress(): string {
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? []) if (!address.internal && address.family === "IPv4") return address.address;
  throw new Error("this machine has no non-loopback IPv4 address to test with");
}
