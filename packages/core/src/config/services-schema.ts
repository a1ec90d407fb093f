import { z } from "zod";

/**
 * Transport limits and guards of the services (issue 12): what a connection, a header, a
 * browser page or a document may cost before any pipeline work starts.
 */

export const httpLimitsSchema = z.strictObject({
  /**
   * Host header names accepted besides localhost forms, IP literals and the bound host:
   * a page on a rebound DNS name ("evil.example" -> 127.0.0.1) is refused. A leading dot
   * accepts subdomains (".example.com"); "*" accepts any host.
   */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /**
   * Browser origins ("https://app.example.com") allowed to call the services. Default none:
   * only non-browser clients and the service's own origin. "*" allows any origin.
   */
  allowedOrigins: z.array(z.string().min(1)).default([]),
  /** Open connections (WebSockets included) past which new ones are dropped at once. */
  maxConnections: z.number().int().positive().default(10_000),
  /** Time to receive a request's headers (slow-header clients are cut). */
  headersTimeoutMs: z.number().int().positive().default(10_000),
  /** Time to receive a whole request, body included (a streamed answer is not bound by it). */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: z.number().int().positive().default(5_000),
  /** Requests one keep-alive connection may carry before it is closed. */
  maxRequestsPerSocket: z.number().int().positive().default(1_000),
  /** Largest request head (request line and headers); larger ones get 431. */
  maxHeaderBytes: z.number().int().positive().default(16_384),
});

export const adminSchema = z.strictObject({
  /**
   * When set, GET /readyz and GET /metrics need `Authorization: Bearer <token>` wherever
   * they are served. Without a token they answer loopback peers only.
   */
  token: z.string().min(16, "use at least 16 characters").optional(),
  /** When set, /readyz and /metrics move to an admin listener of their own on this port (0 = a free one). */
  port: z.number().int().min(0).max(65535).optional(),
  /** The admin listener's address. */
  host: z.string().default("127.0.0.1"),
});

export const trpcTransportSchema = z.strictObject({
  /** Several calls in one HTTP request (httpBatchLink). */
  allowBatching: z.boolean().default(true),
  /** Most calls in one batch: each may start upstream calls. */
  maxBatchSize: z.number().int().positive().default(50),
});

export const graphqlTransportSchema = z.strictObject({
  /** Schema introspection (__schema, __type) over HTTP and WebSocket. */
  introspection: z.boolean().default(false),
  /** Most lexical tokens in one document (the parser stops past it). */
  maxTokens: z.number().int().positive().default(2_000),
  /** Deepest selection nesting (fragments followed). */
  maxDepth: z.number().int().positive().default(12),
  /** Most aliased fields in one document. */
  maxAliases: z.number().int().positive().default(15),
  /** Most field selections in one operation, fragments expanded. */
  maxSelections: z.number().int().positive().default(500),
  /**
   * Most cost per operation: each root field that can reach the pipeline or the ledger
   * (generate, structured, embed, generateStream, usage, metricsSnapshot, health) costs 10, any other field 1.
   */
  maxCost: z.number().int().positive().default(1_000),
});

export type HttpLimits = z.infer<typeof httpLimitsSchema>;
export type AdminSettings = z.infer<typeof adminSchema>;
export type GraphqlTransportSettings = z.infer<typeof graphqlTransportSchema>;
