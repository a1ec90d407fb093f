import type { EventSink } from "./events.ts";
import type { Generation } from "./generation.ts";
import type { Principal } from "./governance.ts";
import type { ChatRequest, EmbeddingRequest, EmbeddingResult } from "./request.ts";
import type { StreamEvent } from "./stream.ts";

export type Operation = "generate" | "stream" | "structured" | "embed" | "classify";

/** Facts about one request that every layer can read. Built by core from the service's input. */
export interface RequestContext {
  requestId: string;
  /** From the authenticated API key only; never from caller input. */
  tenant: string;
  /** Who calls, from the API key the service authenticated; absent for in-process callers. */
  principal?: Principal;
  operation: Operation;
  /**
   * Which service took the request ("trpc", "graphql"), when a process runs several on one
   * pipeline; telemetry writes it on the request's log line. Absent for in-process callers.
   */
  service?: string;
  /** Epoch milliseconds by which the whole request, retries and fallbacks included, must end. */
  deadline: number;
  /**
   * The caller can wait (minutes to hours, within `deadline`) for a cheaper answer: a target
   * whose provider has a batch API may answer through it. Core sets it only for deferrable
   * background jobs; a live call never has it.
   */
  deferrable?: boolean;
  /** Aborts when the caller disconnects or the deadline passes; pass it all the way down. */
  signal: AbortSignal;
  events: EventSink;
  /**
   * The fallback chain model selection chose for this request ("provider/model" targets of
   * the route); absent: the route's configured chain.
   */
  targets?: readonly string[];
  /**
   * Receives headers for the caller's HTTP response (the rate-limit state: x-ratelimit-*,
   * retry-after); set by a service, absent for in-process callers.
   */
  setResponseHeaders?: (headers: Readonly<Record<string, string>>) => void;
  /**
   * The route a chat request was admitted on, resolved once by the pipeline before its
   * middlewares run and carried down to the model that serves it. Absent for embeddings
   * and for contexts built outside the pipeline.
   */
  route?: RequestRoute;
}

/** A route as the request carries it: its name and what serves it below the middlewares. */
export interface RequestRoute {
  /** The route's name: the `model` the caller asked for. */
  readonly name: string;
  /** The route's fallback chain of targets, each with its policies around its provider. */
  readonly model: Model;
}

/**
 * A model as the pipeline sees it: the provider at the centre, and the same shape again
 * after each middleware wraps it.
 *
 * Inside the pipeline a stream yields `delta` events and then one `done`; failures are
 * thrown from the iterator. Core's public `stream` turns a thrown error (or an iterator
 * that ends without `done`) into a final `error` event.
 */
export interface Model {
  generate(request: ChatRequest, ctx: RequestContext): Promise<Generation>;
  stream(request: ChatRequest, ctx: RequestContext): AsyncIterable<StreamEvent>;
}

export interface EmbeddingModel {
  embed(request: EmbeddingRequest, ctx: RequestContext): Promise<EmbeddingResult>;
}

export type GenerateNext = (request: ChatRequest, ctx: RequestContext) => Promise<Generation>;
export type StreamNext = (request: ChatRequest, ctx: RequestContext) => AsyncIterable<StreamEvent>;
export type EmbedNext = (request: EmbeddingRequest, ctx: RequestContext) => Promise<EmbeddingResult>;

/**
 * A middleware is an object of optional hooks folded around a model (the shape of the AI
 * SDK's language-model middleware). The first middleware in a list is the outermost.
 * A missing hook passes the call through unchanged.
 */
export interface Middleware {
  readonly name: string;
  wrapGenerate?(args: { request: ChatRequest; ctx: RequestContext; next: GenerateNext }): Promise<Generation>;
  wrapStream?(args: { request: ChatRequest; ctx: RequestContext; next: StreamNext }): AsyncIterable<StreamEvent>;
  wrapEmbed?(args: { request: EmbeddingRequest; ctx: RequestContext; next: EmbedNext }): Promise<EmbeddingResult>;
}
