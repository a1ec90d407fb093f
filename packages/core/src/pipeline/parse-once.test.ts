import { startSimulator, type SimulatorHandle } from "@keel/simulator";
import { KeelError, type StreamEvent } from "@keel/spec";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { chatRequestSchema, embeddingRequestSchema } from "../request/chat-request-schema.ts";
import { parseChatRequest, parseEmbeddingRequest } from "../request/parse-request.ts";
import {
  parseStructuredRequest,
  serviceStructuredRequestSchema,
  structuredRequestSchema,
} from "../request/structured-request.ts";
import { createPipeline, type Pipeline } from "./create-pipeline.ts";

let simulator: SimulatorHandle;
let pipeline: Pipeline;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  pipeline = createPipeline(
    parseConfig({
      providers: { sim: { baseURL: simulator.url, apiKey: "test-key" } },
      models: { small: { targets: ["sim/gpt-4o-mini"] } },
      embeddingModels: { embed: "sim/text-embedding-3-small" },
      telemetry: { log: { level: "silent" } },
    }),
  );
});
afterAll(async () => {
  await pipeline.close();
  await simulator.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  simulator.reset();
});

const ask = (content: string) => ({ model: "small", messages: [{ role: "user" as const, content }] });
const answerSchema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

/** Watches the real schemas' safeParse (the real one still runs): how often a request is validated. */
function validations() {
  return {
    chat: vi.spyOn(chatRequestSchema, "safeParse"),
    structured: vi.spyOn(structuredRequestSchema, "safeParse"),
    serviceStructured: vi.spyOn(serviceStructuredRequestSchema, "safeParse"),
    embedding: vi.spyOn(embeddingRequestSchema, "safeParse"),
  };
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("a request is validated once", () => {
  it("a plain object from an in-process caller: by the pipeline", async () => {
    const seen = validations();
    await pipeline.generate(ask("one"));
    expect(seen.chat).toHaveBeenCalledTimes(1);
    await pipeline.embed({ model: "embed", input: ["one"] });
    expect(seen.embedding).toHaveBeenCalledTimes(1);
    simulator.setRules([{ reply: '{"city": "Oslo"}' }]);
    await pipeline.structured({ ...ask("city?"), schema: answerSchema });
    expect(seen.structured).toHaveBeenCalledTimes(1);
  });

  it("a request a service parsed (validated twice before: at the service and in the pipeline): not again", async () => {
    const chat = parseChatRequest(ask("two"));
    const embedding = parseEmbeddingRequest({ model: "embed", input: ["two"] });
    const structured = parseStructuredRequest({ ...ask("city?"), schema: answerSchema }, { from: "service" });
    const seen = validations();

    const generation = await pipeline.generate(chat);
    expect(generation.content.length).toBeGreaterThan(0);
    const events = await collect(pipeline.stream(chat));
    expect(events.at(-1)?.type).toBe("done");
    expect((await pipeline.embed(embedding)).vectors).toHaveLength(1);
    simulator.setRules([{ reply: '{"city": "Oslo"}' }]);
    expect((await pipeline.structured(structured)).data).toEqual({ city: "Oslo" });

    for (const spy of Object.values(seen)) expect(spy).not.toHaveBeenCalled();
  });

  it("knows a parsed request by identity, so a copy or another kind is validated", async () => {
    const parsed = parseChatRequest(ask("three"));
    expect(parseChatRequest(parsed)).toBe(parsed);
    const seen = validations();
    await pipeline.generate({ ...parsed });
    expect(seen.chat).toHaveBeenCalledTimes(1);

    // A parsed chat request is no structured request: the structured schema still refuses it.
    const error = await pipeline.structured(parsed as never).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(KeelError.isInstance(error) && error.details.field).toBe("schema");
  });

  it("leaves the parsed request's own fields as they were (no brand on the object)", () => {
    const input = { ...ask("four"), temperature: 0 };
    const parsed = parseChatRequest(input);
    expect(Object.keys(parsed)).toEqual(Object.keys(input));
    expect(Object.getOwnPropertySymbols(parsed)).toEqual([]);
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(input));
  });
});
