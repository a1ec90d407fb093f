import { createResilience } from "@keel/resilience";
import { KeelError, noopEventSink } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load-config.ts";
import { createDeferredBatcher } from "../deferred/deferred-batcher.ts";
import { createEmbeddingLookup } from "./embedding-routes.ts";
import { createInnermostModel } from "./innermost-model.ts";
import { createProviderRegistry } from "./provider-registry.ts";
import { createRouteChains } from "./route-chains.ts";
import { createRouteLookup } from "./route-lookup.ts";

const config = parseConfig({
  providers: { sim: { baseURL: "http://127.0.0.1:1/v1", apiKey: "test" } },
  models: { chat: { targets: ["sim/a", "sim/b"], timeoutMs: 4_000 }, small: { targets: ["sim/a"] } },
  telemetry: { log: { level: "silent" } },
});
const providers = createProviderRegistry(config);
const chains = createRouteChains({ config, providers, resilience: createResilience({ events: noopEventSink }) });
const findRoute = createRouteLookup(chains.routes);

function thrown(run: () => unknown): KeelError {
  try {
    run();
  } catch (error) {
    if (KeelError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a KeelError");
}

describe("createRouteLookup", () => {
  it("gives a configured route with its settings and its chain, the same object every time", () => {
    const route = findRoute("chat");
    expect(route.name).toBe("chat");
    expect(route.settings.targets).toEqual(["sim/a", "sim/b"]);
    expect(route.settings.timeoutMs).toBe(4_000);
    expect(typeof route.model.generate).toBe("function");
    expect(findRoute("chat")).toBe(route);
    expect(findRoute("small").model).not.toBe(route.model);
  });

  it.each(["gpt-9", "constructor", "__proto__", "toString"])("refuses %s with BAD_REQUEST naming the model", (name) => {
    const error = thrown(() => findRoute(name));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details).toEqual({ field: "model", reason: "unknown-model" });
    expect(error.message).toBe(`unknown model "${name}"; this deployment serves: chat, small`);
  });
});

describe("the innermost model", () => {
  it("calls the chain of the route the context carries, and never looks a route up itself", async () => {
    const embedderFor = createEmbeddingLookup({ config, providers, resilience: createResilience() });
    const innermost = createInnermostModel({
      embedderFor,
      chains,
      deferred: createDeferredBatcher({ config, providers }),
    });
    const ctx = {
      requestId: "r1",
      tenant: "t",
      operation: "generate" as const,
      deadline: Date.now() + 1_000,
      signal: new AbortController().signal,
      events: noopEventSink,
    };
    const request = { model: "chat", messages: [{ role: "user" as const, content: "hi" }] };
    expect(thrown(() => innermost.generate(request, ctx)).code).toBe("INTERNAL");

    const answer = { id: "a", content: "from the carried route" };
    const carried = {
      name: "chat",
      model: {
        generate: async () => answer as never,
        stream: () => ({ async *[Symbol.asyncIterator]() {} }),
      },
    };
    expect(await innermost.generate(request, { ...ctx, route: carried })).toBe(answer);
  });
});
