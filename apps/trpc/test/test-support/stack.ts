import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import { createPipeline, parseConfig, type KeelConfigInput, type Pipeline, type ServiceHost } from "@keel/core";
import { startSimulator, type SimulatorHandle, type SimulatorRule } from "@keel/simulator";
import type { StreamEvent } from "@keel/spec";
import { startTrpcService, type AppRouter } from "../../src/index.ts";

export interface Stack {
  simulator: SimulatorHandle;
  pipeline: Pipeline;
  host: ServiceHost;
  /** "http://127.0.0.1:PORT/trpc" */
  url: string;
  client: ReturnType<typeof createClient>;
  close(): Promise<void>;
}

/** The real parts: simulator over HTTP, the real pipeline, the service on a free port, the real tRPC client. */
export async function startStack(
  options: { rules?: SimulatorRule[]; config?: Partial<KeelConfigInput>; shutdownGraceMs?: number } = {},
): Promise<Stack> {
  const simulator = await startSimulator({ port: 0, ...(options.rules ? { rules: options.rules } : {}) });
  const pipeline = createPipeline(
    parseConfig({
      providers: { simulator: { baseURL: simulator.url, apiKey: "test" } },
      models: { "gpt-4o-mini": { targets: ["simulator/gpt-4o-mini"] } },
      embeddingModels: { "text-embedding-3-small": "simulator/text-embedding-3-small" },
      // Request log lines would bury the test output; tests read metrics, usage and envelopes.
      telemetry: { log: { level: "silent" } },
      ...options.config,
    }),
  );
  const host = await startTrpcService({
    pipeline,
    host: "127.0.0.1",
    port: 0,
    ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
  });
  const url = `${host.url}/trpc`;
  return {
    simulator,
    pipeline,
    host,
    url,
    client: createClient(url),
    async close() {
      await host.shutdown();
      await pipeline.close();
      await simulator.close();
    },
  };
}

/** The typed client; `key` travels as `Authorization: Bearer` and in the subscriptions' connection params. */
export function createClient(url: string, key?: string) {
  const authorization = key === undefined ? undefined : `Bearer ${key}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === "subscription",
        true: httpSubscriptionLink({
          url,
          EventSource,
          ...(authorization === undefined ? {} : { connectionParams: { authorization } }),
        }),
        false: httpBatchLink({ url, ...(authorization === undefined ? {} : { headers: { authorization } }) }),
      }),
    ],
  });
}

export const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content }],
  temperature: 0,
  ...extra,
});

export interface StreamOutcome {
  events: StreamEvent[];
  /** The server ended the subscription (after its final event). */
  completed: boolean;
  error?: TRPCClientError<AppRouter>;
}

/** Subscribes to ai.stream and collects every event until the subscription ends. */
export function collectStream(
  client: Stack["client"],
  input: ReturnType<typeof chat>,
  onEvent?: (event: StreamEvent, unsubscribe: () => void) => void,
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const events: StreamEvent[] = [];
    const subscription = client.ai.stream.subscribe(input, {
      onData(event) {
        events.push(event);
        onEvent?.(event, () => {
          // Resolve first: unsubscribing also fires onComplete on the client.
          resolve({ events, completed: false });
          subscription.unsubscribe();
        });
      },
      onError(error) {
        subscription.unsubscribe();
        resolve({ events, completed: false, error: error as TRPCClientError<AppRouter> });
      },
      onComplete: () => resolve({ events, completed: true }),
    });
  });
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

/** The tRPC error of a rejected call. */
export async function trpcError(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}
