import type { ChatRequest } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { exactCacheKey, semanticPartition } from "./cache-key.ts";
import { canonicalJson } from "./canonical-json.ts";

const base: ChatRequest = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "What is the capital of France?" },
  ],
  temperature: 0,
  topP: 1,
  maxTokens: 100,
  stop: ["\n\n"],
  seed: 7,
  tools: [
    {
      type: "function",
      function: { name: "lookup", parameters: { type: "object", properties: { city: { type: "string" } } } },
    },
  ],
  toolChoice: "auto",
  responseFormat: {
    type: "json_schema",
    jsonSchema: { name: "answer", schema: { type: "object", properties: { city: { type: "string" } } } },
  },
  structured: { schema: { type: "object", required: ["city"] }, name: "answer" },
};
const key = (request: ChatRequest, namespace = "tenant:acme", scope?: string) =>
  exactCacheKey(request, { namespace, scope });

describe("exactCacheKey", () => {
  it("is a versioned SHA-256 hex digest", () => {
    expect(key(base)).toMatch(/^exact:\{[0-9a-f]{64}\}$/);
  });

  it("ignores key order, at every depth", () => {
    const reordered = JSON.parse(canonicalJson(base)) as ChatRequest;
    const shuffled: ChatRequest = {
      structured: { name: "answer", schema: { required: ["city"], type: "object" } },
      responseFormat: {
        jsonSchema: { schema: { properties: { city: { type: "string" } }, type: "object" }, name: "answer" },
        type: "json_schema",
      },
      toolChoice: "auto",
      tools: [
        {
          function: { parameters: { properties: { city: { type: "string" } }, type: "object" }, name: "lookup" },
          type: "function",
        },
      ],
      seed: 7,
      stop: ["\n\n"],
      maxTokens: 100,
      topP: 1,
      temperature: 0,
      messages: [
        { content: "Be brief.", role: "system" },
        { content: "What is the capital of France?", role: "user" },
      ],
      model: "gpt-4o-mini",
    };
    expect(key(shuffled)).toBe(key(base));
    expect(key(reordered)).toBe(key(base));
  });

  it("ignores how the cache is used, idempotency and validator functions", () => {
    const same: ChatRequest = {
      ...base,
      cache: { mode: "refresh", ttlSeconds: 5 },
      idempotent: true,
      structured: { ...base.structured!, validators: [() => []], maxAttempts: 5 },
    };
    expect(key(same)).toBe(key(base));
  });

  const changes: Array<[string, Partial<ChatRequest>]> = [
    ["model", { model: "gpt-4o" }],
    ["last message", { messages: [base.messages[0]!, { role: "user", content: "What is the capital of Germany?" }] }],
    ["system prompt", { messages: [{ role: "system", content: "Be verbose." }, base.messages[1]!] }],
    ["role", { messages: [base.messages[0]!, { role: "assistant", content: "What is the capital of France?" }] }],
    ["message name", { messages: [base.messages[0]!, { ...base.messages[1]!, name: "bob" }] }],
    ["temperature", { temperature: 0.2 }],
    ["topP", { topP: 0.9 }],
    ["maxTokens", { maxTokens: 101 }],
    ["stop", { stop: ["END"] }],
    ["seed", { seed: 8 }],
    ["tools", { tools: [{ type: "function", function: { name: "search" } }] }],
    ["toolChoice", { toolChoice: "none" }],
    ["responseFormat type", { responseFormat: { type: "json_object" } }],
    [
      "responseFormat schema",
      { responseFormat: { type: "json_schema", jsonSchema: { name: "answer", schema: { type: "object" } } } },
    ],
    ["structured schema", { structured: { schema: { type: "object", required: ["country"] }, name: "answer" } }],
    ["an absent parameter", { maxTokens: undefined }],
  ];
  it.each(changes)("changes when %s changes", (_, change) => {
    expect(key({ ...base, ...change })).not.toBe(key(base));
  });

  it("changes with the request's documents, and is unchanged for a request without any", () => {
    const withDocuments: ChatRequest = { ...base, documents: [{ id: "faq", text: "Paris is the capital." }] };
    expect(key(withDocuments)).not.toBe(key(base));
    expect(key({ ...base, documents: [{ id: "faq", text: "Lyon is the capital." }] })).not.toBe(key(withDocuments));
    expect(key({ ...base, documents: [{ id: "other", text: "Paris is the capital." }] })).not.toBe(key(withDocuments));
    expect(key({ ...base, documents: undefined })).toBe(key(base));
    expect(semanticPartition(withDocuments, { namespace: "tenant:acme", embedder: "e" })).not.toBe(
      semanticPartition(base, { namespace: "tenant:acme", embedder: "e" }),
    );
  });

  it("changes with the namespace (tenant) and the scope (targets)", () => {
    expect(key(base, "tenant:globex")).not.toBe(key(base));
    expect(key(base, "tenant:acme", "openai/gpt-4o-mini")).not.toBe(key(base, "tenant:acme", "azure/gpt-4o-mini"));
  });
});

describe("semanticPartition", () => {
  it("ignores the last user message but nothing else", () => {
    const other: ChatRequest = {
      ...base,
      messages: [base.messages[0]!, { role: "user", content: "Tell me France's capital" }],
    };
    const options = { namespace: "tenant:acme", embedder: "local-hash-512" };
    expect(semanticPartition(other, options)).toBe(semanticPartition(base, options));
    expect(semanticPartition({ ...other, temperature: 0.5 }, options)).not.toBe(semanticPartition(base, options));
    expect(semanticPartition(base, { ...options, namespace: "tenant:globex" })).not.toBe(
      semanticPartition(base, options),
    );
    expect(semanticPartition(base, { ...options, embedder: "other" })).not.toBe(semanticPartition(base, options));
  });
});
