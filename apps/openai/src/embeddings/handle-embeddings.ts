import { badRequestFromZod, parseEmbeddingRequest } from "@keel/core";
import { z } from "zod";
import { callOptionsOf, type Exchange, type ServiceParts } from "../http/exchange.ts";
import { refuseUnsupported } from "../http/field-names.ts";
import { readJsonBody } from "../http/read-json-body.ts";
import { sendJson } from "../http/send.ts";

/** The body of `POST /v1/embeddings` for what Keel serves: text input (token arrays are not). */
const embeddingBodySchema = z.strictObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string())]),
  /** The OpenAI SDKs ask for base64 by default and decode it themselves. */
  encoding_format: z.enum(["float", "base64"]).nullish(),
  user: z.string().nullish(),
});

/** `POST /v1/embeddings`: OpenAI's list of embeddings, from the pipeline's embed (cached, resilient). */
export async function handleEmbeddings(parts: ServiceParts, exchange: Exchange): Promise<void> {
  const body = await readJsonBody(exchange.request, parts.maxBodyBytes);
  refuseUnsupported(body, ["dimensions"]);
  const parsed = embeddingBodySchema.safeParse(body);
  if (!parsed.success) throw badRequestFromZod(parsed.error, embeddingBodySchema);
  const { model, input, encoding_format: format } = parsed.data;
  const request = parseEmbeddingRequest({ model, input: typeof input === "string" ? [input] : input });
  const result = await parts.pipeline.embed(request, { ...callOptionsOf(exchange), signal: exchange.signal });
  sendJson(exchange.response, 200, {
    body: {
      object: "list",
      data: result.vectors.map((vector, index) => ({
        object: "embedding",
        index,
        embedding: format === "base64" ? toBase64(vector) : vector,
      })),
      model: result.model,
      usage: { prompt_tokens: result.usage.promptTokens, total_tokens: result.usage.totalTokens },
    },
    headers: { "x-keel-cache": result.cached ? "exact" : "miss" },
  });
}

/** OpenAI's base64 form: the vector's float32 values, little-endian, as bytes. */
function toBase64(vector: number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}
