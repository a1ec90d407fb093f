import { KeelError, type EmbeddingModel, type Model } from "@keel/spec";
import {
  cancelBatch,
  pollBatch,
  submitBatch,
  type BatchCallOptions,
  type BatchPoll,
  type BatchRequestLine,
  type SubmittedBatch,
} from "./batch-api.ts";
import { embed } from "./embed.ts";
import { generate } from "./generate.ts";
import { createDirectStreamCall } from "./direct-stream.ts";
import { createKeelOpenAI } from "./keel-openai.ts";
import { sdkClientOptions } from "./sdk-client-options.ts";
import { createNodeFetch } from "./node-fetch.ts";
import { createPriceTable, type PriceTable } from "./prices.ts";
import { stream } from "./stream.ts";
import type { ProviderState } from "./upstream-call.ts";

export interface ProviderOptions {
  /** Appears as the envelope's `provider` and in targets "name/model", e.g. "openai", "simulator". */
  name: string;
  /** Defaults to https://api.openai.com/v1; any OpenAI-compatible server works. */
  baseURL?: string;
  apiKey: string;
  organization?: string;
  /** Sent with every request (Azure's `api-key`, a gateway's routing header, ...). */
  headers?: Record<string, string>;
  /** Defaults to the built-in table (`createPriceTable()`). */
  prices?: PriceTable;
  /**
   * The HTTP client under the SDK. Default: Keel's fetch on `node:http` with a keep-alive
   * pool of its own. `globalThis.fetch` (Node's undici) or any fetch of your own (a proxy
   * dispatcher, instrumentation) replaces it.
   */
  fetch?: typeof fetch;
  /**
   * Largest non-streamed upstream body read, in bytes (default 16 MiB). Past it the
   * connection is destroyed and the call fails with UPSTREAM_UNAVAILABLE
   * (`upstream-body-too-large`). Applies to Keel's own fetch, not to a `fetch` given here.
   */
  maxBodyBytes?: number;
  /** Largest single SSE event read, in bytes (default 1 MiB); past it `upstream-event-too-large`. */
  maxEventBytes?: number;
}

/** The provider's Batch API (OpenAI's /v1/files + /v1/batches): asynchronous, cheaper answers. */
export interface ProviderBatchApi {
  /** Uploads the requests as one JSONL file and creates one batch over it. */
  submitBatch(
    input: { lines: BatchRequestLine[]; metadata?: Record<string, string> },
    options?: BatchCallOptions,
  ): Promise<SubmittedBatch>;
  /** The batch's state; once ended, every line as an envelope (batch price) or a typed error. */
  pollBatch(batch: SubmittedBatch & { lines: BatchRequestLine[] }, options?: BatchCallOptions): Promise<BatchPoll>;
  cancelBatch(batch: SubmittedBatch): Promise<void>;
}

export interface Provider extends Model, EmbeddingModel, ProviderBatchApi {
  readonly name: string;
}

/**
 * A provider for any OpenAI-compatible server on the official SDK. One client and one
 * fetch per provider, so every call reuses the same keep-alive connection pool. The SDK's retries
 * are off: Keel's resilience policies decide what to retry.
 */
export function createOpenAIProvider(options: ProviderOptions): Provider {
  if (typeof options?.name !== "string" || options.name.length === 0 || options.name.includes("/")) {
    throw new KeelError("BAD_REQUEST", "provider name must be a non-empty string without '/'", {
      details: { field: "name" },
    });
  }
  if (typeof options.apiKey !== "string" || options.apiKey.length === 0) {
    // Servers without auth (Ollama, a local vLLM) still need some value: the SDK refuses an empty key.
    throw new KeelError("BAD_REQUEST", "apiKey must be a non-empty string", { details: { field: "apiKey" } });
  }
  for (const field of ["maxBodyBytes", "maxEventBytes"] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      throw new KeelError("BAD_REQUEST", `${field} must be a positive integer`, { details: { field } });
    }
  }
  // The SDK's client, with its per-call authentication headers built once (keel-openai.ts).
  const client = createKeelOpenAI(
    sdkClientOptions({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? "https://api.openai.com/v1",
      organization: options.organization,
      defaultHeaders: options.headers,
      fetch:
        options.fetch ?? createNodeFetch({ maxBodyBytes: options.maxBodyBytes, maxEventBytes: options.maxEventBytes }),
    }),
  );
  const state: ProviderState = {
    name: options.name,
    client,
    prices: options.prices ?? createPriceTable(),
    ownFetch: options.fetch === undefined,
    // Streams skip the SDK's per-call request building and web streams (about a quarter of a
    // stream's CPU, bench/README.md) unless the caller brought a fetch of their own.
    directStream:
      options.fetch === undefined
        ? createDirectStreamCall({
            baseURL: options.baseURL ?? "https://api.openai.com/v1",
            apiKey: options.apiKey,
            organization: options.organization,
            headers: options.headers,
            maxBodyBytes: options.maxBodyBytes,
            maxEventBytes: options.maxEventBytes,
          })
        : undefined,
  };

  return {
    name: options.name,
    generate: (request, ctx) => generate(state, request, ctx),
    stream: (request, ctx) => stream(state, request, ctx),
    embed: (request, ctx) => embed(state, request, ctx),
    submitBatch: (input, callOptions) => submitBatch(state, input, callOptions),
    pollBatch: (batch, callOptions) => pollBatch(state, batch, callOptions),
    cancelBatch: (batch) => cancelBatch(state, batch),
  };
}
