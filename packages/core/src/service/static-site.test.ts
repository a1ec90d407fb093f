import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createPipeline, type Pipeline } from "../pipeline/create-pipeline.ts";
import { startServiceHost, type ServiceHost } from "./service-host.ts";

describe("a static site on the service host", () => {
  let folder: string;
  let pipeline: Pipeline;
  let host: ServiceHost;
  beforeAll(async () => {
    const parent = await mkdtemp(join(tmpdir(), "keel-static-"));
    folder = join(parent, "dist");
    await mkdir(join(folder, "assets"), { recursive: true });
    await writeFile(join(folder, "index.html"), "<!doctype html><title>dash</title>");
    await writeFile(join(folder, "assets", "app-1a2b.js"), "console.log(1)");
    await writeFile(join(parent, "secret.txt"), "outside");
    pipeline = createPipeline(
      parseConfig({
        providers: { sim: { baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } },
        models: { m: { targets: ["sim/m"] } },
      }),
    );
    host = await startServiceHost({
      name: "test",
      pipeline,
      host: "127.0.0.1",
      port: 0,
      staticSites: [{ path: "/dashboard", directory: folder }],
      serve: () => ({ handler: (_request, response) => void response.end("service") }),
    });
  });
  afterAll(async () => {
    await host.shutdown();
    await pipeline.close();
    await rm(join(folder, ".."), { recursive: true, force: true });
  });

  it("serves index.html with security headers, hashed assets cached, and the rest to the service", async () => {
    const redirect = await fetch(`${host.url}/dashboard`, { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/dashboard/");
    const index = await fetch(`${host.url}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(index.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await index.text()).toContain("<title>dash</title>");
    const asset = await fetch(`${host.url}/dashboard/assets/app-1a2b.js?v=1`);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(await (await fetch(`${host.url}/other`)).text()).toBe("service");
    expect(await (await fetch(`${host.url}/dashboardx`)).text()).toBe("service");
    expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
  });

  it("refuses paths outside the folder, missing files and writes", async () => {
    for (const path of ["/dashboard/../secret.txt", "/dashboard/%2e%2e/secret.txt", "/dashboard/..%2fsecret.txt"]) {
      const response = await rawGet(host, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain("outside");
    }
    expect((await fetch(`${host.url}/dashboard/missing.js`)).status).toBe(404);
    expect((await fetch(`${host.url}/dashboard/`, { method: "POST", body: "x" })).status).toBe(405);
  });
});

/** fetch normalises `..` away; send the path as written. */
async function rawGet(host: ServiceHost, path: string): Promise<{ status: number; body: string }> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const call = request({ host: "127.0.0.1", port: host.port, path, method: "GET" }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    call.on("error", reject);
    call.end();
  });
}
