import { request as httpRequest } from "node:http";
import type { KeelError } from "@keel/spec";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";
import {
  startServiceHost,
  type HostBinding,
  type RequestHandler,
  type ServiceHost,
  type ServiceHostOptions,
} from "./service-host.ts";

const pipelines: Pipeline[] = [];
const hosts: ServiceHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.shutdown()));
  await Promise.all(pipelines.splice(0).map((pipeline) => pipeline.close()));
});

function start(
  handler: RequestHandler,
  shutdownGraceMs = 2_000,
  errorBody?: (error: KeelError) => unknown,
): Promise<ServiceHost> {
  return startWith(() => ({ handler }), { shutdownGraceMs, ...(errorBody ? { errorBody } : {}) });
}

async function startWith(
  serve: ServiceHostOptions["serve"],
  options: { shutdownGraceMs?: number; errorBody?: (error: KeelError) => unknown } = {},
): Promise<ServiceHost> {
  const pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } },
      models: { m: { targets: ["sim/m"] } },
    }),
  );
  pipelines.push(pipeline);
  const host = await startServiceHost({
    name: "test",
    pipeline,
    host: "127.0.0.1",
    port: 0,
    serve,
    shutdownGraceMs: options.shutdownGraceMs ?? 2_000,
    ...(options.errorBody ? { errorBody: options.errorBody } : {}),
  });
  hosts.push(host);
  return host;
}

describe("startServiceHost", () => {
  it("warms the pipeline before it listens, so the first request does not pay the detectors' first runs or the semantic index's hyperplanes", async () => {
    let served = 0;
    const host = await start((_request, response) => {
      served += 1;
      response.end("first");
    });
    // The default policy's detectors: secrets, a PII pass per stage, injection for user and
    // document text, toxicity for input and for output.
    expect(host.warmedUp).toEqual({ safetyDetectors: 7, semanticIndex: true });
    const first = await fetch(`${host.url}/anything`);
    expect(await first.text()).toBe("first");
    expect(served).toBe(1);
    // Warming sent nothing upstream and counted no request.
    expect(pipelines[0]?.metricsSnapshot({ all: true }).overall["1m"].requests).toBe(0);
  });

  it("has nothing to warm when safety and the semantic cache are off", async () => {
    const pipeline = createPipeline(
      parseConfig({
        providers: { sim: { baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } },
        models: { m: { targets: ["sim/m"] } },
        safety: { enabled: false },
        cache: { semantic: { enabled: false } },
      }),
    );
    pipelines.push(pipeline);
    const host = await startServiceHost({
      name: "test",
      pipeline,
      host: "127.0.0.1",
      port: 0,
      serve: () => ({
        handler: (_request, response) => {
          response.end("ok");
        },
      }),
    });
    hosts.push(host);
    expect(host.warmedUp).toEqual({ safetyDetectors: 0, semanticIndex: false });
    expect(await (await fetch(`${host.url}/healthz`)).json()).toEqual({ status: "ok", service: "test" });
  });

  it("answers health, readiness and metrics itself and hands the rest to the service", async () => {
    const host = await start((_request, response) => {
      response.end("from the service");
    });
    expect(await (await fetch(`${host.url}/healthz`)).json()).toEqual({ status: "ok", service: "test" });
    const ready = await fetch(`${host.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    const metrics = await fetch(`${host.url}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(await (await fetch(`${host.url}/anything`)).text()).toBe("from the service");
  });

  it("answers a crashed handler with a typed INTERNAL in the service's own error shape, leaking nothing", async () => {
    const host = await start(
      async () => {
        throw new Error("secret sk-test-123 in a stack");
      },
      2_000,
      (error) => ({ errors: [{ message: error.message, extensions: { code: error.code } }] }),
    );
    const response = await fetch(`${host.url}/boom`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ errors: [{ message: "internal error", extensions: { code: "INTERNAL" } }] });
    expect(text).not.toContain("sk-test-123");
  });

  it("lets an in-flight request finish during shutdown and refuses new ones", async () => {
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const host = await start((_request, response) => {
      arrived();
      setTimeout(() => response.end("finished"), 300);
    });
    const inFlight = fetch(`${host.url}/slow`).then((response) => response.text());
    await arrival;
    const shutdown = host.shutdown();
    expect(await inFlight).toBe("finished");
    await shutdown;
    await expect(fetch(`${host.url}/healthz`)).rejects.toThrow();
  });

  it("ends streams that outlive the grace period through their close hook", async () => {
    let closedWith: KeelError | undefined;
    const host = await startWith(
      (binding) => ({
        handler: (_request, response) => {
          response.writeHead(200, { "content-type": "text/event-stream" });
          response.write("data: first\n\n");
          const untrack = binding.trackStream((error) => {
            closedWith = error;
            response.end(`data: ${JSON.stringify(error.toJSON())}\n\n`);
            untrack();
          });
        },
      }),
      { shutdownGraceMs: 200 },
    );
    let firstEvent: () => void = () => {};
    const streaming = new Promise<void>((resolve) => (firstEvent = resolve));
    const body = new Promise<string>((resolve) => {
      httpRequest(`${host.url}/stream`, (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          firstEvent();
        });
        response.on("end", () => resolve(text));
      }).end();
    });
    await streaming;
    const started = Date.now();
    await host.shutdown();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(closedWith?.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(await body).toContain('"reason":"shutting-down"');
  });

  it("builds the service on the host before it listens: the service sees shutdown begin, then closes after the streams", async () => {
    const steps: string[] = [];
    let binding: HostBinding | undefined;
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const host = await startWith((built) => {
      binding = built;
      steps.push(`built, listening: ${built.server.listening}, shutting down: ${built.isShuttingDown()}`);
      return {
        handler: (_request, response) => {
          arrived();
          setTimeout(() => {
            steps.push(`in-flight request ends, shutting down: ${built.isShuttingDown()}`);
            response.end("finished");
          }, 200);
        },
        async close() {
          steps.push("service closed");
        },
      };
    });
    expect(binding?.server).toBe(host.server);
    const inFlight = fetch(`${host.url}/slow`).then((response) => response.text());
    await arrival;
    const shutdown = host.shutdown();
    // From the first moment of shutdown, not only after the grace: new streams are refused at once.
    expect(host.isShuttingDown()).toBe(true);
    expect(await inFlight).toBe("finished");
    await shutdown;
    await host.shutdown();
    expect(steps).toEqual([
      "built, listening: false, shutting down: false",
      "in-flight request ends, shutting down: true",
      "service closed",
    ]);
  });
});
