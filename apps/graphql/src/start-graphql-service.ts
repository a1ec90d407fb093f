import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { randomUUID } from "node:crypto";
import type { GraphQLFormattedError } from "graphql";
import { createServiceEdge, startServiceHost, type Pipeline, type ServiceHost } from "@keel/core";
import { SERVICE_NAME, type CreateContext, type GraphqlContext } from "./context.ts";
import { formatGraphqlError } from "./errors/format-error.ts";
import { createDirectOperations } from "./http/direct-operations.ts";
import { createGraphqlHandler } from "./http/graphql-handler.ts";
import { httpSubscriptionGuard } from "./http/http-subscription-guard.ts";
import { documentRules } from "./limits/document-rules.ts";
import { createSchema } from "./schema.ts";
import { startSubscriptionServer } from "./subscriptions/websocket-server.ts";

export interface GraphqlServiceOptions {
  pipeline: Pipeline;
  /** Address to bind; default the config's services.host (127.0.0.1). */
  host?: string;
  /** 0 = a free port; default the config's services.graphqlPort (4000). */
  port?: number;
  /** How long shutdown lets in-flight requests and subscriptions finish; default the config's. */
  shutdownGraceMs?: number;
  /**
   * Known queries and mutations over HTTP executed without Apollo's request pipeline
   * (http/direct-operations.ts); default true. False leaves every request to Apollo: the
   * reference the tests compare with.
   */
  directOperations?: boolean;
}

/** GraphQL (queries and mutations over HTTP, subscriptions over graphql-ws) at this path. */
const GRAPHQL_PATH = "/graphql";

/**
 * Documents the direct path keeps parsed and validated (with the verdict on those it leaves
 * to Apollo), and the longest query text it takes: at most ~2 MiB of text and its syntax
 * trees; clients send a handful of fixed documents of a few hundred characters.
 */
const DIRECT_DOCUMENTS = 500;
const DIRECT_MAX_QUERY_LENGTH = 4_096;

/** How long shutdown waits for final stream events to reach clients before closing WebSockets. */
const FLUSH_MS = 500;

/**
 * Starts the GraphQL service on core's service host (which answers /healthz, /readyz
 * and /metrics and drains on shutdown). `host.shutdown()` stops accepting, lets work in
 * flight finish within the grace, ends live subscriptions with a final ERROR event,
 * then closes the WebSockets and Apollo.
 */
export async function startGraphqlService(options: GraphqlServiceOptions): Promise<ServiceHost> {
  const { pipeline } = options;
  const settings = pipeline.config.services;
  const schema = createSchema();
  // Token, depth, alias, selection and cost limits and introspection: the same over HTTP and WebSocket.
  const rules = documentRules(settings.graphql);
  const formatError = (formatted: GraphQLFormattedError, error: unknown) =>
    formatGraphqlError(error, stringOrUndefined(formatted.extensions?.code));
  const apollo = new ApolloServer<GraphqlContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    introspection: settings.graphql.introspection,
    validationRules: rules.validationRules,
    parseOptions: { maxTokens: rules.maxTokens },
    formatError,
    // The launcher handles signals and shuts down in order; Apollo must not stop itself.
    stopOnTerminationSignals: false,
    // Apollo's cache-control plugin (on unless disabled) hooks every field of every response to
    // work out a cache policy; the schema declares no hints, so it always came to `no-store`,
    // which graphql-handler.ts now sends itself: 143 -> 107 µs of Apollo's CPU per request (bench/README.md).
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), httpSubscriptionGuard],
  });
  await apollo.start();
  const direct =
    options.directOperations === false
      ? undefined
      : createDirectOperations({
          schema,
          rules,
          formatError,
          maxDocuments: DIRECT_DOCUMENTS,
          maxQueryLength: DIRECT_MAX_QUERY_LENGTH,
        });

  return startServiceHost({
    name: "graphql",
    pipeline,
    host: options.host ?? settings.host,
    port: options.port ?? settings.graphqlPort,
    shutdownGraceMs: options.shutdownGraceMs ?? settings.shutdownGraceMs,
    // Errors the host answers itself (503 while draining) in GraphQL's shape, like every other error here.
    errorBody: (error) => ({ errors: [formatGraphqlError(error, undefined)] }),
    serve: (serviceHost) => {
      const edge = createServiceEdge(pipeline, { service: SERVICE_NAME });
      const createContext: CreateContext = (source) => ({
        pipeline,
        principal: source.principal,
        // Read through, so an HTTP request's signal is only made if a resolver reads it.
        get signal() {
          return source.signal;
        },
        callOptions: () =>
          edge.callOptions(source.principal, {
            requestId: randomUUID(),
            signal: source.callerSignal === undefined ? source.signal : source.callerSignal(),
            ...(source.setResponseHeaders === undefined ? {} : { setResponseHeaders: source.setResponseHeaders }),
          }),
        trackStream: serviceHost.trackStream,
        // True from the first moment of shutdown, not only after the grace: new streams are refused.
        isShuttingDown: serviceHost.isShuttingDown,
      });
      const subscriptions = startSubscriptionServer({
        server: serviceHost.server,
        path: GRAPHQL_PATH,
        schema,
        maxMessageBytes: settings.maxBodyBytes,
        edge,
        rules,
        guard: serviceHost.guard,
        createContext,
        isShuttingDown: serviceHost.isShuttingDown,
      });
      return {
        handler: createGraphqlHandler({
          apollo,
          path: GRAPHQL_PATH,
          maxBodyBytes: settings.maxBodyBytes,
          edge,
          createContext,
          ...(direct === undefined ? {} : { direct }),
        }),
        async close() {
          // The tracked streams were just told to close; let their final ERROR events go out.
          const until = Date.now() + FLUSH_MS;
          while (subscriptions.activeOperations() > 0 && Date.now() < until) await sleep(10);
          await subscriptions.close(FLUSH_MS);
          await apollo.stop();
        },
      };
    },
  });
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
