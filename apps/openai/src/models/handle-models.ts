import { KeelError } from "@keel/spec";
import type { Exchange, ServiceParts } from "../http/exchange.ts";
import { sendJson } from "../http/send.ts";

interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: "keel";
}

/** The names a caller may ask for: the configured chat routes, then the embedding models. */
function modelsOf(parts: ServiceParts): ModelEntry[] {
  const { models, embeddingModels } = parts.pipeline.config;
  return [...Object.keys(models), ...Object.keys(embeddingModels)].map((id) => ({
    id,
    object: "model",
    created: parts.startedAt,
    owned_by: "keel",
  }));
}

/** `GET /v1/models`: the configured routes and embedding models, in OpenAI's list shape. */
export function handleModels(parts: ServiceParts, exchange: Exchange): void {
  sendJson(exchange.response, 200, { body: { object: "list", data: modelsOf(parts) } });
}

/** `GET /v1/models/{id}`: one of them, or 404 as OpenAI answers an unknown model. */
export function handleModel(parts: ServiceParts, exchange: Exchange, id: string): void {
  const model = modelsOf(parts).find((entry) => entry.id === id);
  if (!model) {
    throw new KeelError("BAD_REQUEST", `unknown model "${id}"; GET /v1/models lists the models this deployment serves`, {
      details: { field: "model", reason: "unknown-model" },
    });
  }
  sendJson(exchange.response, 200, { body: model });
}
