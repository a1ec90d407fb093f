import { APIConnectionError } from "openai";
import { describe, expect, it } from "vitest";
import { startSimulator } from "./server.ts";
import { createClient, rawRequest, useSimulator, userMessage } from "./test-support/simulator-fixtures.ts";

describe("control API over HTTP", () => {
  it("reports health and stats, installs validated rules, and resets", async () => {
    const { simulator, client } = await useSimulator();
    const control = (path: string, body?: unknown) =>
      rawRequest(
        `${simulator.origin}/_sim/${path}`,
        body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
      );

    expect(JSON.parse((await control("health")).body)).toEqual({ status: "ok" });

    const installed = await control("rules", { rules: [{ model: "gpt-4o", reply: "over HTTP" }] });
    expect(installed.status).toBe(200);
    expect(JSON.parse(installed.body)).toEqual({ ok: true, rules: 1 });
    const answer = await client.chat.completions.create({ model: "gpt-4o", messages: userMessage("hi") });
    expect(answer.choices[0]!.message.content).toBe("over HTTP");

    const rejected = await control("rules", { rules: [{ model: "gpt-4o", fault: { type: "status", status: "500" } }] });
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.body).error).toMatchObject({ code: "invalid_rules", param: "rules[0].fault.status" });
    expect(JSON.parse(rejected.body).error.message).toMatch(
      /rules\[0\]\.fault\.status: must be an integer from 400 to 599/,
    );
    const notJson = await rawRequest(`${simulator.origin}/_sim/rules`, { method: "POST", body: "{rules:" });
    expect(notJson.status).toBe(400);
    // A rejected scenario leaves the one in force alone.
    expect(
      (await client.chat.completions.create({ model: "gpt-4o", messages: userMessage("hi") })).choices[0]!.message
        .content,
    ).toBe("over HTTP");

    const stats = JSON.parse((await control("stats")).body);
    expect(stats).toMatchObject({ calls: { "gpt-4o": 2 }, totalCalls: 2, inFlight: 0, clientAborts: 0 });

    expect((await control("reset", {})).status).toBe(200);
    expect(JSON.parse((await control("stats")).body)).toMatchObject({ calls: {}, totalCalls: 0 });
    expect(
      (await client.chat.completions.create({ model: "gpt-4o", messages: userMessage("hi") })).choices[0]!.message
        .content,
    ).not.toBe("over HTTP");
    expect((await control("nothing-here")).status).toBe(404);
  });
});

describe("stats", () => {
  it("counts calls per model across endpoints, requests in flight and client aborts", async () => {
    const { simulator, client } = await useSimulator({ rules: [{ model: "gpt-4.1", latency: { ttftMs: 150 } }] });
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: userMessage("a") });
    await client.embeddings.create({ model: "text-embedding-3-small", input: "b" });
    await client.moderations.create({ input: "c" });
    await client.models.list();
    await client.chat.completions.create({ model: "no-such-model", messages: userMessage("d") }).catch(() => undefined);

    const slow = client.chat.completions.create({ model: "gpt-4.1", messages: userMessage("slow") });
    const during = await simulator.waitFor((stats) => stats.inFlight === 1);
    expect(during.openConnections).toBeGreaterThanOrEqual(1);
    await slow;
    const stats = simulator.stats();
    expect(stats).toMatchObject({
      calls: {
        "gpt-4o-mini": 1,
        "text-embedding-3-small": 1,
        "omni-moderation-latest": 1,
        "no-such-model": 1,
        "gpt-4.1": 1,
      },
      totalCalls: 6,
      inFlight: 0,
      clientAborts: 0,
    });

    const aborted = new AbortController();
    const abandoned = client.chat.completions.create(
      { model: "gpt-4.1", messages: userMessage("slow") },
      { signal: aborted.signal },
    );
    await simulator.waitFor((current) => current.inFlight === 1);
    aborted.abort();
    await abandoned.catch(() => undefined);
    expect((await simulator.waitFor((current) => current.inFlight === 0)).clientAborts).toBe(1);

    simulator.reset();
    expect(simulator.stats()).toMatchObject({ calls: {}, totalCalls: 0, clientAborts: 0, inFlight: 0 });
  });

  it("waitFor rejects with the last stats when the predicate never holds", async () => {
    const { simulator } = await useSimulator();
    await expect(simulator.waitFor((stats) => stats.totalCalls > 0, 50)).rejects.toThrow(
      /within 50 ms; last: \{"calls":\{\}/,
    );
  });
});

describe("close", () => {
  it("does not hang on hung requests and stalled streams, and fails them for the client", async () => {
    const simulator = await startSimulator({
      rules: [
        { promptIncludes: "hang", fault: { type: "hang" } },
        { promptIncludes: "stall", fault: { type: "stream-stall", afterChunks: 1 } },
      ],
    });
    const client = createClient(simulator);
    const hung = client.chat.completions
      .create({ model: "gpt-4o-mini", messages: userMessage("hang") })
      .catch((error: unknown) => error);
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: userMessage("stall"),
      stream: true,
    });
    const stalled = (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((error: unknown) => error);
    await simulator.waitFor((stats) => stats.inFlight === 2);

    const started = performance.now();
    await simulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hung).toBeInstanceOf(APIConnectionError);
    expect(await stalled).toBeInstanceOf(Error);
    expect(simulator.stats()).toMatchObject({ inFlight: 0, openConnections: 0 });
  });
});
