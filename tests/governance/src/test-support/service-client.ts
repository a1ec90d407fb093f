import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { KeelErrorCode } from "@keel/spec";
import type { AppRouter, KeelTrpcErrorData } from "@keel/trpc";

/** The two services under test; every scenario runs against each. */
export type ServiceKind = "trpc" | "graphql";
export const SERVICE_KINDS: readonly ServiceKind[] = ["trpc", "graphql"];

/** Keel's caller-safe error, whichever transport carried it (tRPC `data`, GraphQL `extensions`). */
export interface ErrorView {
  code: KeelErrorCode;
  message: string;
  retryable: boolean;
  details: Record<string, unknown>;
}

/** A call's result with the HTTP response's status and headers (lower-case names). */
export type Outcome<Value> =
  | { ok: true; value: Value; status: number; headers: Record<string, string> }
  | { ok: false; error: ErrorView; status: number; headers: Record<string, string> };

/** A stream: its events as the caller saw them, or the refusal before any event. */
export interface StreamOutcome {
  events: Array<Record<string, unknown>>;
  rejected?: ErrorView;
  /** GraphQL over WebSocket: the close code and reason when the server closed the socket. */
  closed?: { code: number; reason: string };
}

/**
 * One caller of one service, through its real client: tRPC's typed client over HTTP and
 * SSE, GraphQL over fetch and graphql-ws. `key` travels as `Authorization: Bearer` on HTTP,
 * in the tRPC subscription's connection params (or its header, `sseKeyIn: "header"`) and
 * in the graphql-ws connection_init payload. Every operation the suite needs, with the
 * same names for both services.
 */
export interface ServiceClient {
  readonly kind: ServiceKind;
  generate(input: Record<string, unknown>): Promise<Outcome<Record<string, unknown>>>;
  classify(input: Record<string, unknown>): Promise<Outcome<Record<string, unknown>>>;
  usage(query?: Record<string, unknown>): Promise<Outcome<Record<string, unknown>>>;
  metricsSnapshot(): Promise<Outcome<Record<string, unknown>>>;
  stream(input: Record<string, unknown>, options?: { sseKeyIn?: "params" | "header" }): Promise<StreamOutcome>;
  createKey(
    input: Record<string, unknown>,
  ): Promise<Outcome<{ id: string; key: string; record: Record<string, unknown> }>>;
  listKeys(
    query?: Record<string, unknown>,
  ): Promise<Outcome<{ keys: Array<Record<string, unknown>>; nextCursor?: string | null }>>;
  revokeKey(id: string): Promise<Outcome<Record<string, unknown>>>;
  rotateKey(id: string): Promise<Outcome<{ id: string; key: string; record: Record<string, unknown> }>>;
  updateKey(input: Record<string, unknown>): Promise<Outcome<Record<string, unknown>>>;
  tenantUsage(query: Record<string, unknown>): Promise<Outcome<Record<string, unknown>>>;
}

export function serviceClient(kind: ServiceKind, origin: string, key?: string): ServiceClient {
  return kind === "trpc" ? trpcClient(`${origin}/trpc`, key) : graphqlClient(`${origin}/graphql`, key);
}

function trpcClient(url: string, key: string | undefined): ServiceClient {
  let last: { status: number; headers: Record<string, string> } = { status: 0, headers: {} };
  const authorization: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    last = { status: response.status, headers: Object.fromEntries(response.headers) };
    return response;
  };
  const client = createTRPCClient<AppRouter>({
    links: [httpLink({ url, headers: () => authorization, fetch: recordingFetch })],
  });
  const call = async <Value>(run: () => Promise<unknown>): Promise<Outcome<Value>> => {
    try {
      const value = (await run()) as Value;
      return { ok: true, value, ...last };
    } catch (error) {
      return { ok: false, error: trpcErrorView(error), ...last };
    }
  };
  return {
    kind: "trpc",
    generate: (input) => call(() => client.ai.generate.mutate(input as never)),
    classify: (input) => call(() => client.ai.classify.mutate(input as never)),
    usage: (query) => call(() => client.usage.get.query(query as never)),
    metricsSnapshot: () => call(() => client.metrics.snapshot.query()),
    createKey: (input) => call(() => client.admin.keys.create.mutate(input as never)),
    listKeys: (query) => call(() => client.admin.keys.list.query(query as never)),
    revokeKey: (id) => call(() => client.admin.keys.revoke.mutate({ id })),
    rotateKey: (id) => call(() => client.admin.keys.rotate.mutate({ id })),
    updateKey: (input) => call(() => client.admin.keys.update.mutate(input as never)),
    tenantUsage: (query) => call(() => client.admin.usage.query(query as never)),
    stream(input, options = {}) {
      const byHeader = options.sseKeyIn === "header";
      const subscriber = createTRPCClient<AppRouter>({
        links: [
          splitLink({
            condition: (operation) => operation.type === "subscription",
            true: httpSubscriptionLink({
              url,
              EventSource,
              ...(key !== undefined && !byHeader ? { connectionParams: { authorization: `Bearer ${key}` } } : {}),
              ...(key !== undefined && byHeader
                ? {
                    eventSourceOptions: {
                      fetch: (target: string | URL | Request, init?: RequestInit) =>
                        fetch(target, {
                          ...init,
                          headers: { ...(init?.headers as Record<string, string>), ...authorization },
                        }),
                    },
                  }
                : {}),
            }),
            false: httpLink({ url }),
          }),
        ],
      });
      return new Promise<StreamOutcome>((resolve) => {
        const events: Array<Record<string, unknown>> = [];
        const subscription = subscriber.ai.stream.subscribe(input as never, {
          onData(event) {
            events.push(event as Record<string, unknown>);
            const type = (event as { type?: string }).type;
            if (type === "done" || type === "error") {
              subscription.unsubscribe();
              resolve({ events });
            }
          },
          onError(error) {
            subscription.unsubscribe();
            resolve({ events, rejected: trpcErrorView(error) });
          },
          onComplete: () => resolve({ events }),
        });
      });
    },
  };
}

function trpcErrorView(error: unknown): ErrorView {
  if (!(error instanceof TRPCClientError)) throw error;
  const data = (error as TRPCClientError<AppRouter>).data as KeelTrpcErrorData | undefined;
  if (!data) throw new Error(`tRPC error without Keel data: ${error.message}`);
  return { code: data.keelCode, message: error.message, retryable: data.retryable, details: data.details };
}

const API_KEY_FIELDS =
  "id tenant role name allowedModels limits { requestsPerMinute tokensPerMinute concurrency } budget { dailyUsd monthlyUsd } createdAt lastUsedAt revokedAt";
const BUDGET_PERIOD = "period spentUsd reservedUsd limitUsd remainingUsd resetsAt";
const USAGE_FIELDS = `tenant from to totals { requests errors promptTokens completionTokens costUsd cacheHits }
  budget { tenant { day { ${BUDGET_PERIOD} } month { ${BUDGET_PERIOD} } } key { day { ${BUDGET_PERIOD} } month { ${BUDGET_PERIOD} } } }`;
const GENERATION_FIELDS = `id content model provider cache attempts costUsd latencyMs finishReason
  usage { promptTokens completionTokens totalTokens promptTokensSaved }
  selection { rule target escalated { from to reason } }`;

const OPERATIONS = {
  generate: [`mutation ($input: GenerateInput!) { generate(input: $input) { ${GENERATION_FIELDS} } }`, "generate"],
  classify: [
    "mutation ($input: ClassifyInput!) { classify(input: $input) { model provider cached costUsd usage { promptTokens totalTokens } results { label score margin runnerUp { label score } } } }",
    "classify",
  ],
  usage: [
    `query ($from: String, $to: String, $model: String) { usage(from: $from, to: $to, model: $model) { ${USAGE_FIELDS} } }`,
    "usage",
  ],
  metricsSnapshot: [
    "query { metricsSnapshot { tenants { name stats { last1m { requests } } } alerts { rule key tenant message } } }",
    "metricsSnapshot",
  ],
  createKey: [
    `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { id key record { ${API_KEY_FIELDS} } } }`,
    "createApiKey",
  ],
  listKeys: [
    `query ($tenant: String, $limit: Int, $cursor: String) { apiKeys(tenant: $tenant, limit: $limit, cursor: $cursor) { keys { ${API_KEY_FIELDS} } nextCursor } }`,
    "apiKeys",
  ],
  revokeKey: [`mutation ($id: ID!) { revokeApiKey(id: $id) { ${API_KEY_FIELDS} } }`, "revokeApiKey"],
  rotateKey: [`mutation ($id: ID!) { rotateApiKey(id: $id) { id key record { ${API_KEY_FIELDS} } } }`, "rotateApiKey"],
  updateKey: [
    `mutation ($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { ${API_KEY_FIELDS} } }`,
    "updateApiKey",
  ],
  tenantUsage: [
    `query ($tenant: String!, $from: String, $to: String, $model: String) { tenantUsage(tenant: $tenant, from: $from, to: $to, model: $model) { ${USAGE_FIELDS} } }`,
    "tenantUsage",
  ],
} as const;

function graphqlClient(url: string, key: string | undefined): ServiceClient {
  const authorization: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
  const run = async <Value>(
    operation: keyof typeof OPERATIONS,
    variables: Record<string, unknown>,
  ): Promise<Outcome<Value>> => {
    const [query, field] = OPERATIONS[operation];
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...authorization },
      body: JSON.stringify({ query, variables }),
    });
    const headers = Object.fromEntries(response.headers);
    const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: GraphqlError[] };
    const first = body.errors?.[0];
    if (first) return { ok: false, error: graphqlErrorView(first), status: response.status, headers };
    return { ok: true, value: lowerCaseRoles(body.data?.[field]) as Value, status: response.status, headers };
  };
  return {
    kind: "graphql",
    generate: (input) => run("generate", { input: toGraphqlChat(input) }),
    classify: (input) => run("classify", { input: toGraphqlClassify(input) }),
    usage: (query = {}) => run("usage", query),
    metricsSnapshot: () => run("metricsSnapshot", {}),
    createKey: (input) => run("createKey", { input: toGraphqlKey(input) }),
    listKeys: (query = {}) => run("listKeys", query),
    revokeKey: (id) => run("revokeKey", { id }),
    rotateKey: (id) => run("rotateKey", { id }),
    updateKey: (input) => run("updateKey", { input: toGraphqlKey(input) }),
    tenantUsage: (query) => run("tenantUsage", query),
    stream(input) {
      const client = createClient({
        url: url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        ...(key === undefined ? {} : { connectionParams: authorization }),
      });
      return new Promise<StreamOutcome>((resolve) => {
        const events: Array<Record<string, unknown>> = [];
        let closed: StreamOutcome["closed"];
        client.on("closed", (event) => {
          const close = event as { code?: number; reason?: string };
          if (typeof close.code === "number" && close.code !== 1000)
            closed = { code: close.code, reason: close.reason ?? "" };
        });
        const finish = (outcome: Omit<StreamOutcome, "events">) => {
          resolve({ events, ...outcome, ...(closed ? { closed } : {}) });
          void client.dispose();
        };
        client.subscribe<{ generateStream: Record<string, unknown> }>(
          {
            query: `subscription ($input: GenerateInput!) { generateStream(input: $input) { type content error { code message retryable details } generation { ${GENERATION_FIELDS} } } }`,
            variables: { input: toGraphqlChat(input) },
          },
          {
            next(result) {
              const first = (result.errors as GraphqlError[] | undefined)?.[0];
              if (first && events.length === 0) return finish({ rejected: graphqlErrorView(first) });
              if (result.data?.generateStream) events.push(lowerCaseType(result.data.generateStream));
            },
            error(error) {
              if (Array.isArray(error) && error.length > 0)
                finish({ rejected: graphqlErrorView(error[0] as GraphqlError) });
              else finish({});
            },
            complete: () => finish({}),
          },
        );
      });
    },
  };
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string; retryable?: boolean; details?: Record<string, unknown> };
}

function graphqlErrorView(error: GraphqlError): ErrorView {
  const extensions = error.extensions ?? {};
  return {
    code: (extensions.code ?? "INTERNAL") as KeelErrorCode,
    message: error.message,
    retryable: extensions.retryable ?? false,
    details: extensions.details ?? {},
  };
}

/** Spec spelling in, GraphQL enums out: roles and cache modes are upper-case enum values there. */
function toGraphqlChat(input: Record<string, unknown>): Record<string, unknown> {
  const messages = Array.isArray(input.messages)
    ? input.messages.map((message: Record<string, unknown>) =>
        typeof message.role === "string" ? { ...message, role: message.role.toUpperCase() } : message,
      )
    : input.messages;
  const cache = input.cache as { mode?: unknown } | undefined;
  return {
    ...input,
    messages,
    ...(cache && typeof cache.mode === "string"
      ? { cache: { ...cache, mode: cache.mode.toUpperCase().replaceAll("-", "_") } }
      : {}),
  };
}

function toGraphqlClassify(input: Record<string, unknown>): Record<string, unknown> {
  return typeof input.method === "string" ? { ...input, method: input.method.toUpperCase() } : input;
}

function toGraphqlKey(input: Record<string, unknown>): Record<string, unknown> {
  return typeof input.role === "string" ? { ...input, role: input.role.toUpperCase() } : input;
}

/** Fields whose GraphQL enum values (CALLER, MISS, ...) are the spec's values upper-cased. */
const ENUM_FIELDS: ReadonlySet<string> = new Set(["role", "cache"]);

/** GraphQL's enums back to the spec's spelling, wherever a key record or an envelope appears. */
function lowerCaseRoles(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCaseRoles);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, entry]) => [
      name,
      ENUM_FIELDS.has(name) && typeof entry === "string" ? entry.toLowerCase() : lowerCaseRoles(entry),
    ]),
  );
}

/** GraphQL's upper-case stream event types back to the spec's. */
function lowerCaseType(event: Record<string, unknown>): Record<string, unknown> {
  return { ...event, type: String(event.type).toLowerCase() };
}
