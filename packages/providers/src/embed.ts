import { KeelError, type EmbeddingRequest, type EmbeddingResult, type RequestContext } from "@keel/spec";
import type OpenAI from "openai";
import { callCancellation } from "./call-signal.ts";
import { countTokens } from "./tokens.ts";
import { elapsedSince, failedCall, type ProviderState } from "./upstream-call.ts";

/** Embeddings for `request.input`, vectors in input order whatever order the upstream used. */
export async function embed(
  state: ProviderState,
  request: EmbeddingRequest,
  ctx: RequestContext,
): Promise<EmbeddingResult> {
  if (typeof request?.model !== "string" || request.model.length === 0) {
    throw new KeelError("BAD_REQUEST", "model must be a non-empty string", { details: { field: "model" } });
  }
  if (
    !Array.isArray(request.input) ||
    request.input.length === 0 ||
    request.input.some((text) => typeof text !== "string")
  ) {
    throw new KeelError("BAD_REQUEST", "input must be a non-empty array of strings", { details: { field: "input" } });
  }
  const target = `${state.name}/${request.model}`;
  ctx.events.emit({ type: "upstream-request", target });
  const started = performance.now();
  // Never ctx.signal itself to the SDK (call-signal.ts).
  const call = callCancellation(ctx.signal, state.ownFetch);
  let response: OpenAI.CreateEmbeddingResponse;
  try {
    // "float" rather than the SDK's default base64: not every compatible server
    // (Ollama among them) implements base64, and the SDK would decode it into a
    // Float32Array we would copy into plain arrays anyway.
    response = await state.client.embeddings.create(
      { model: request.model, input: request.input, encoding_format: "float" },
      call.options,
    );
  } catch (error) {
    throw failedCall({ ctx, target, started, error });
  } finally {
    call.dispose();
  }

  const vectors = inInputOrder(response?.data, request.input.length);
  if (vectors === undefined) {
    throw failedCall({
      ctx,
      target,
      started,
      error: new KeelError("UPSTREAM_UNAVAILABLE", `${target}: the upstream sent a malformed embeddings response`, {
        retryable: true,
        details: { target, reason: "malformed" },
      }),
    });
  }
  // Servers that send no usage (some self-hosted ones) get a tokenizer estimate.
  const promptTokens =
    response.usage?.prompt_tokens ?? request.input.reduce((sum, text) => sum + countTokens(text, request.model), 0);
  const usage = { promptTokens, totalTokens: response.usage?.total_tokens ?? promptTokens };
  ctx.events.emit({
    type: "upstream-response",
    target,
    durationMs: elapsedSince(started),
    usage: { promptTokens, completionTokens: 0, totalTokens: usage.totalTokens },
  });
  return { model: response.model || request.model, provider: state.name, vectors, usage, cached: false };
}

/** One vector per input, placed by the `index` the upstream gives (in order when it gives none). */
function inInputOrder(
  data: Array<{ index?: number; embedding: number[] }> | undefined,
  count: number,
): number[][] | undefined {
  if (!Array.isArray(data) || data.length !== count) return undefined;
  const vectors = new Array<number[]>(count);
  for (let position = 0; position < count; position += 1) {
    const item: { index?: number; embedding: number[] } | undefined = data[position];
    const index = typeof item?.index === "number" ? item.index : position;
    if (
      item === undefined ||
      !Array.isArray(item.embedding) ||
      index < 0 ||
      index >= count ||
      vectors[index] !== undefined
    )
      return undefined;
    vectors[index] = item.embedding;
  }
  return vectors;
}
