import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { createPipeline, parseConfig, type KeelConfigInput, type Pipeline, type ServiceHost } from "@keel/core";
import { startSimulator, type SimulatorHandle, type SimulatorRule } from "@keel/simulator";
import type { GraphQLFormattedError } from "graphql";
import { startGraphqlService } from "../../src/index.ts";

export interface Stack {
  simulator: SimulatorHandle;
  pipeline: Pipeline;
  host: ServiceHost;
  /** "http://127.0.0.1:PORT/graphql" */
  url: string;
  /** "ws://127.0.0.1:PORT/graphql" */
  wsUrl: string;
  close(): Promise<void>;
}

/** The real parts: the simulator over HTTP, the real pipeline, the service on a free port. */
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
  const host = await startGraphqlService({
    pipeline,
    host: "127.0.0.1",
    port: 0,
    ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
  });
  const url = `${host.url}/graphql`;
  return {
    simulator,
    pipeline,
    host,
    url,
    wsUrl: url.replace(/^http/, "ws"),
    async close() {
      await host.shutdown();
      await pipeline.close();
      await simulator.close();
    },
  };
}

export interface GraphqlResponse<Data = Record<string, unknown>> {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
  body: { data?: Data | null; errors?: GraphQLFormattedError[] } | undefined;
}

/** One GraphQL operation to POST: where, the document, its variables, and a signal to abort it. */
export interface GraphqlOperation {
  url: string;
  query: string;
  variables?: Record<string, unknown>;
  signal?: AbortSignal;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  key?: string;
}

/** POSTs one GraphQL operation as a partner's plain fetch would. */
export async function graphql<Data = Record<string, unknown>>({
  url,
  query,
  variables,
  signal,
  key,
}: GraphqlOperation): Promise<GraphqlResponse<Data>> {
  return postRaw<Data>(url, JSON.stringify({ query, ...(variables ? { variables } : {}) }), {
    ...(signal ? { signal } : {}),
    ...(key === undefined ? {} : { key }),
  });
}

/** The response's `data`; throws with the whole response text when there is none. */
export function dataOf<Data>(response: GraphqlResponse<Data>): Data {
  const data = response.body?.data;
  if (data === undefined || data === null) throw new Error(`the response has no data: ${response.text}`);
  return data;
}

export async function postRaw<Data = Record<string, unknown>>(
  url: string,
  body: string,
  init: { signal?: AbortSignal; contentType?: string; key?: string } = {},
): Promise<GraphqlResponse<Data>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": init.contentType ?? "application/json",
      ...(init.key === undefined ? {} : { authorization: `Bearer ${init.key}` }),
    },
    body,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await response.text();
  let parsed: GraphqlResponse<Data>["body"];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), text, body: parsed };
}

/** A graphql-ws client; `key` goes in the connection_init payload as `authorization`. */
export function wsClient(wsUrl: string, key?: string): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(key === undefined ? {} : { connectionParams: { authorization: `Bearer ${key}` } }),
  });
}

/** Every field of the envelope, as typed GraphQL fields. */
export const GENERATION_FIELDS = `
  id content model provider cache attempts costUsd latencyMs finishReason data
  usage { promptTokens completionTokens totalTokens estimated }
  fallback { failed { target code message } answeredBy degraded }
  safety { input { scanner kind action score message } output { scanner kind action score message } }
  validation { valid attempts repaired history { attempt repaired errors { path message } } }
  toolCalls { id type function { name arguments } }
`;

/** A Generation as GENERATION_FIELDS selects it (schema.graphql's Generation). */
export interface GenerationView {
  id: string;
  content: string;
  model: string;
  provider: string;
  cache: "MISS" | "EXACT" | "SEMANTIC" | "STALE";
  attempts: number;
  costUsd: number;
  latencyMs: number;
  finishReason: "STOP" | "LENGTH" | "TOOL_CALLS" | "CONTENT_FILTER" | "ERROR";
  data: unknown;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number; estimated: boolean | null };
  fallback: {
    failed: Array<{ target: string; code: string; message: string }>;
    answeredBy: string | null;
    degraded: "STALE" | "STATIC" | null;
  };
  safety: { input: SafetyFindingView[]; output: SafetyFindingView[] };
  validation: {
    valid: boolean;
    attempts: number;
    repaired: boolean;
    history: Array<{ attempt: number; repaired: boolean; errors: Array<{ path: string; message: string }> }>;
  } | null;
  toolCalls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> | null;
}

export interface SafetyFindingView {
  scanner: string;
  kind: string;
  action: "ALLOW" | "REDACT" | "BLOCK" | "FLAG" | "REVIEW" | "DISCLAIM";
  score: number | null;
  message: string | null;
}

/** The health query's answer (schema.graphql's Health). */
export interface HealthData {
  health: { status: string; ready: boolean; checks: Array<{ name: string; ok: boolean; detail: string | null }> };
}

/** What GENERATE answers with. */
export interface GenerateData {
  generate: GenerationView;
}

export const GENERATE = `mutation Generate($input: GenerateInput!) { generate(input: $input) { ${GENERATION_FIELDS} } }`;
export const GENERATE_STREAM = `subscription Stream($input: GenerateInput!) {
  generateStream(input: $input) { type content error { code message retryable details } generation { ${GENERATION_FIELDS} } }
}`;

export const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "USER", content }],
  temperature: 0,
  ...extra,
});

export interface StreamEventView {
  type: "DELTA" | "DONE" | "ERROR";
  content: string | null;
  error: { code: string; message: string; retryable: boolean; details: Record<string, unknown> | null } | null;
  generation: GenerationView | null;
}

export interface StreamOutcome {
  events: StreamEventView[];
  /** Errors of the operation itself (GraphQL errors in a result or an error message). */
  errors: GraphQLFormattedError[];
  /** The server completed the subscription. */
  completed: boolean;
  /** The socket closed under the subscription (a close event instead of complete). */
  closed?: { code: number; reason: string };
}

/** Subscribes to generateStream and collects everything until it ends. */
export function collectStream(
  client: Client,
  input: Record<string, unknown>,
  onEvent?: (event: StreamEventView, unsubscribe: () => void) => void,
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const outcome: StreamOutcome = { events: [], errors: [], completed: false };
    const unsubscribe = client.subscribe<{ generateStream: StreamEventView }>(
      { query: GENERATE_STREAM, variables: { input } },
      {
        next(result) {
          if (result.errors) outcome.errors.push(...result.errors);
          const event = result.data?.generateStream;
          if (!event) return;
          outcome.events.push(event);
          onEvent?.(event, () => {
            unsubscribe();
            resolve(outcome);
          });
        },
        error(error) {
          if (Array.isArray(error)) outcome.errors.push(...(error as GraphQLFormattedError[]));
          else if (isCloseEvent(error)) outcome.closed = { code: error.code, reason: error.reason };
          else outcome.errors.push({ message: String(error) });
          resolve(outcome);
        },
        complete() {
          outcome.completed = true;
          resolve(outcome);
        },
      },
    );
  });
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === "object" && value !== null && "code" in value && "reason" in value;
}

/** True when no error body anywhere carries a stack trace or file path. */
export function hasNoStackTrace(text: string): boolean {
  return !/stacktrace|\bat .+\.(ts|js):\d+|node_modules|\/work\//i.test(text);
}
