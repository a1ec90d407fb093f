import { describe, expect, it } from "vitest";
import { SimulatorRuleError } from "./rule-validation.ts";
import { startSimulator } from "./server.ts";
import { useSimulator, userMessage } from "./test-support/simulator-fixtures.ts";

describe("scripted rules", () => {
  it("answers by model and by a substring of the last user message, first match wins", async () => {
    const { client } = await useSimulator({
      rules: [
        { model: "gpt-4o", reply: "from the gpt-4o rule" },
        { promptIncludes: "weather", reply: "It is sunny." },
        { promptIncludes: "weather", reply: "never reached" },
      ],
    });
    const ask = async (model: string, messages: Parameters<typeof client.chat.completions.create>[0]["messages"]) =>
      (await client.chat.completions.create({ model, messages })).choices[0]!.message.content;

    expect(await ask("gpt-4o", userMessage("what is the weather?"))).toBe("from the gpt-4o rule");
    expect(await ask("gpt-4o-mini", userMessage("what is the weather?"))).toBe("It is sunny.");
    // Only the last user message is matched, not earlier turns or the system prompt.
    const earlier = [
      { role: "system" as const, content: "weather bot" },
      { role: "user" as const, content: "weather?" },
      { role: "assistant" as const, content: "Sunny." },
      { role: "user" as const, content: "thanks" },
    ];
    expect(await ask("gpt-4o-mini", earlier)).not.toBe("It is sunny.");
  });

  it("counts each rule's matching calls for after and times", async () => {
    const { client, simulator } = await useSimulator({
      rules: [
        { model: "gpt-4o-mini", after: 1, times: 2, reply: "scripted" },
        { model: "gpt-4o-mini", times: 1, reply: "fallthrough once" },
      ],
    });
    const ask = async () =>
      (await client.chat.completions.create({ model: "gpt-4o-mini", messages: userMessage("hi") })).choices[0]!.message
        .content;
    const answers = [];
    for (let call = 0; call < 5; call++) answers.push(await ask());
    // Call 1 is inside rule 1's `after` window, so rule 2 decides (and is then used up).
    expect(answers.slice(0, 3)).toEqual(["fallthrough once", "scripted", "scripted"]);
    expect(answers[3]).not.toMatch(/scripted|fallthrough/);
    expect(answers[4]).toBe(answers[3]);

    // setRules restarts the counters.
    simulator.setRules([{ times: 1, reply: "fresh" }]);
    expect(await ask()).toBe("fresh");
    expect(await ask()).not.toBe("fresh");
  });

  it("serves the content presets, and reply wins over content", async () => {
    const { client } = await useSimulator({
      rules: [
        { promptIncludes: "pii", content: "pii" },
        { promptIncludes: "toxic", content: "toxic" },
        { promptIncludes: "near", content: "invalid-json" },
        { promptIncludes: "fenced", content: "fenced-json" },
        { promptIncludes: "prose", content: "prose-json" },
        { promptIncludes: "both", content: "toxic", reply: "polite" },
      ],
    });
    const ask = async (prompt: string, extra: object = {}) =>
      (await client.chat.completions.create({ model: "gpt-4o-mini", messages: userMessage(prompt), ...extra }))
        .choices[0]!.message.content!;

    const pii = await ask("pii");
    expect(pii).toMatch(/[\w.]+@example\.com/);
    expect(pii).toMatch(/\(555\) 010-4477/);
    expect(pii).toMatch(/4111 1111 1111 1111/);
    expect(pii).toMatch(/\d{3}-\d{2}-\d{4}/);
    expect(await ask("toxic")).toMatch(/idiot/);
    const near = await ask("near");
    expect(() => JSON.parse(near)).toThrow();
    expect(near).toMatch(/'name': 'example',\n/);
    const fenced = await ask("fenced");
    expect(fenced.startsWith("```json\n") && fenced.endsWith("\n```")).toBe(true);
    expect(JSON.parse(fenced.slice(8, -4))).toEqual({ name: "example", count: 1 });
    const prose = await ask("prose");
    expect(() => JSON.parse(prose)).toThrow();
    expect(JSON.parse(prose.slice(prose.indexOf("{"), prose.lastIndexOf("}") + 1))).toEqual({
      name: "example",
      count: 1,
    });
    expect(await ask("both")).toBe("polite");

    // With a json_schema request, the JSON presets wrap the schema's example object.
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const structured = await ask("fenced", {
      response_format: { type: "json_schema", json_schema: { name: "place", schema } },
    });
    expect(JSON.parse(structured.slice(8, -4))).toEqual({ city: "example" });
  });

  it("applies latency globally, per model and per rule", async () => {
    const { client } = await useSimulator({
      latency: { ttftMs: 0, models: { "gpt-4o": { ttftMs: 200 } } },
      rules: [{ promptIncludes: "slow tokens", reply: "a b c d e", latency: { perTokenMs: 40 } }],
    });
    const timed = async (model: string, prompt: string) => {
      const started = performance.now();
      await client.chat.completions.create({ model, messages: userMessage(prompt) });
      return performance.now() - started;
    };
    await timed("gpt-4o-mini", "warm up");
    expect(await timed("gpt-4o", "hello")).toBeGreaterThanOrEqual(190);
    expect(await timed("gpt-4o-mini", "hello")).toBeLessThan(150);
    // 5 tokens x 40 ms per token, on top of gpt-4o's 200 ms time to first token.
    expect(await timed("gpt-4o", "slow tokens")).toBeGreaterThanOrEqual(390);
  });

  it("rejects invalid rules with an error naming the field", async () => {
    const { simulator } = await useSimulator();
    const attempt = (rules: unknown) => () => simulator.setRules(rules as never);
    expect(attempt([{ time: 3 }])).toThrow(new SimulatorRuleError("rules[0].time", "is not a known field"));
    expect(attempt([{}, { fault: { type: "status", status: 200 } }])).toThrow(/rules\[1\]\.fault\.status/);
    expect(attempt([{ fault: { type: "explode" } }])).toThrow(/rules\[0\]\.fault\.type: must be one of/);
    expect(attempt([{ model: "gpt-9" }])).toThrow(/rules\[0\]\.model: "gpt-9" is not a known model/);
    expect(attempt([{ after: -1 }])).toThrow(/rules\[0\]\.after/);
    expect(attempt([{ content: "rude" }])).toThrow(/rules\[0\]\.content/);
    expect(attempt([{ fault: { type: "stream-stall" } }])).toThrow(/rules\[0\]\.fault\.afterChunks/);
    expect(attempt({ rules: [] })).toThrow(/rules: must be an array/);
    await expect(startSimulator({ rules: [{ latency: { ttftMs: -5 } }] })).rejects.toThrow(
      /rules\[0\]\.latency\.ttftMs/,
    );
  });

  it("serves the configured models only", async () => {
    const { client } = await useSimulator({ models: ["local-llama"] });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(["local-llama"]);
    expect((await client.models.retrieve("local-llama")).id).toBe("local-llama");
    await expect(
      client.chat.completions.create({ model: "gpt-4o-mini", messages: userMessage("hi") }),
    ).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
  });
});

describe("output-safety presets, plain and streamed", () => {
  const streamed = async (client: import("openai").default, prompt: string) => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: userMessage(prompt),
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta?.content ?? "");
    return pieces.filter((piece) => piece !== "");
  };

  it("answers toxic text and PII with a secret, by rule, both as JSON and as a stream of many chunks", async () => {
    const { client, simulator } = await useSimulator({
      rules: [
        { promptIncludes: "insult me", content: "toxic" },
        { promptIncludes: "account", content: "pii-leak" },
      ],
    });
    const plain = async (prompt: string) =>
      (await client.chat.completions.create({ model: "gpt-4o-mini", messages: userMessage(prompt) })).choices[0]!
        .message.content!;

    const toxic = await plain("please insult me");
    expect(toxic).toBe("You are a worthless idiot, and nobody wants to hear your stupid questions.");
    const toxicPieces = await streamed(client, "please insult me");
    expect(toxicPieces.length).toBeGreaterThan(5);
    expect(toxicPieces.join("")).toBe(toxic);

    const leak = await plain("show the account");
    expect(leak).toMatch(/jane\.doe@example\.com/);
    expect(leak).toMatch(/\+1 \(555\) 010-4477/);
    expect(leak).toMatch(/\bsk-proj-[A-Za-z0-9]{32}\b/);
    const leakPieces = await streamed(client, "show the account");
    expect(leakPieces.length).toBeGreaterThan(10);
    // The key arrives split over several chunks, as a real model's would.
    expect(leakPieces.some((piece) => piece.includes("sk-proj-Zx81kQm3VtY7pLw2Rn5sHc9dJf4GbE6a"))).toBe(false);
    expect(leakPieces.join("")).toBe(leak);
    expect(simulator.stats().totalCalls).toBe(4);
  });
});
