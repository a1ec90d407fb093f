import OpenAI from "openai";
import { createPipeline, parseConfig, type KeelConfigInput, type Pipeline, type ServiceHost } from "@keel/core";
import { startSimulator, type SimulatorHandle, type SimulatorRule } from "@keel/simulator";
import { startOpenaiService } from "../../src/index.ts";

export interface Stack {
  simulator: SimulatorHandle;
  pipeline: Pipeline;
  host: ServiceHost;
  /** "http://127.0.0.1:PORT/v1": the base URL an OpenAI SDK is given. */
  baseURL: string;
  /** The official openai SDK pointed at Keel; its own retries off, so call counts are Keel's. */
  client: OpenAI;
  close(): Promise<void>;
}

/** The real parts: the simulator over HTTP, the real pipeline, the service on a free port, the openai SDK. */
export async function startStack(
  options: { rules?: SimulatorRule[]; config?: Partial<KeelConfigInput>; shutdownGraceMs?: number } = {},
): Promise<Stack> {
  const simulator = await startSimulator({ port: 0, ...(options.rules ? { rules: options.rules } : {}) });
  const pipeline = createPipeline(
    parseConfig({
      providers: { simulator: { baseURL: simulator.url, apiKey: "test" } },
      models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] } },
      embeddingModels: { "text-embedding-3-small": "simulator/text-embedding-3-small" },
      // Request log lines would bury the test output; tests read envelopes, headers and metrics.
      telemetry: { log: { level: "silent" } },
      ...options.config,
    }),
  );
  const host = await startOpenaiService({
    pipeline,
    host: "127.0.0.1",
    port: 0,
    ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
  });
  const baseURL = `${host.url}/v1`;
  return {
    simulator,
    pipeline,
    host,
    baseURL,
    client: createClient(baseURL),
    async close() {
      await host.shutdown();
      await pipeline.close();
      await simulator.close();
    },
  };
}

export function createClient(baseURL: string, defaultHeaders: Record<string, string> = {}): OpenAI {
  return new OpenAI({ baseURL, apiKey: "keel-test", maxRetries: 0, defaultHeaders });
}

/** POSTs a raw body, as curl would. */
export async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: safeJson(text) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The APIError a rejected SDK call threw. */
export async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
