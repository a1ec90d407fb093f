/** Shared by the tests: a simulator per test, and an OpenAI client that never retries. */
import { request as httpRequest } from "node:http";
import OpenAI from "openai";
import { afterEach } from "vitest";
import { startSimulator } from "../server.ts";
import type { SimulatorHandle, SimulatorOptions } from "../types.ts";

const running = new Set<SimulatorHandle>();

afterEach(async () => {
  await Promise.all([...running].map((simulator) => simulator.close()));
  running.clear();
});

/** Starts a simulator that is closed after the current test. */
export async function useSimulator(
  options: SimulatorOptions = {},
): Promise<{ simulator: SimulatorHandle; client: OpenAI }> {
  const simulator = await startSimulator(options);
  running.add(simulator);
  return { simulator, client: createClient(simulator) };
}

export function createClient(simulator: SimulatorHandle, timeout = 10_000): OpenAI {
  return new OpenAI({ baseURL: simulator.url, apiKey: "sk-simulated", maxRetries: 0, timeout });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds from sending to the response headers, and to the end of the body. */
  headersAfterMs: number;
  bodyAfterMs: number;
}

/** A plain HTTP exchange, for what the SDK hides (raw bodies, header timing). */
export function rawRequest(url: string, options: { method?: string; body?: string } = {}): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: options.method ?? "GET", headers: { "content-type": "application/json" } },
      (incoming) => {
        const headersAfterMs = performance.now() - started;
        let body = "";
        incoming.setEncoding("utf8");
        incoming.on("data", (chunk: string) => (body += chunk));
        incoming.on("error", reject);
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body,
            headersAfterMs,
            bodyAfterMs: performance.now() - started,
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

export const userMessage = (content: string) => [{ role: "user" as const, content }];
