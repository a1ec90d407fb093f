import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createModelSelector, selectionInputOf } from "./model-selector.ts";
import type { ModelSelectionOptions, SelectionInput } from "./selection-types.ts";

const candidates = [
  { target: "openai/gpt-4o-mini", contextWindow: 128_000, price: { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
  { target: "openai/gpt-4.1-nano", contextWindow: 32_000, price: { inputPerMillion: 0.1, outputPerMillion: 0.4 } },
  { target: "openai/gpt-4o", contextWindow: 128_000, price: { inputPerMillion: 2.5, outputPerMillion: 10 } },
  { target: "openai/gpt-4.1", contextWindow: 1_000_000, price: { inputPerMillion: 2, outputPerMillion: 8 } },
];

const options: ModelSelectionOptions = {
  candidates,
  rules: [
    { name: "tools", when: { hasTools: true }, targets: ["openai/gpt-4o", "openai/gpt-4.1"] },
    {
      name: "extraction",
      when: { tasks: ["extract", "classify"] },
      targets: ["openai/gpt-4.1-nano", "openai/gpt-4o-mini"],
    },
    {
      name: "short",
      when: { maxPromptTokens: 2_000, hasResponseSchema: false },
      targets: ["openai/gpt-4.1-nano", "openai/gpt-4o-mini"],
    },
    {
      name: "long",
      when: { minPromptTokens: 2_001 },
      targets: ["openai/gpt-4o-mini", "openai/gpt-4.1"],
      escalation: "openai/gpt-4.1",
    },
  ],
  escalation: "openai/gpt-4o",
};

const input = (overrides: Partial<SelectionInput> = {}): SelectionInput => ({
  promptTokens: 500,
  maxTokens: 200,
  hasTools: false,
  hasResponseSchema: false,
  ...overrides,
});

describe("model selection", () => {
  const selector = createModelSelector(options);

  it("chooses the cheapest target of the first rule that applies, and names the rule", () => {
    expect(selector.select(input())).toEqual({
      target: "openai/gpt-4.1-nano",
      rule: "short",
      chain: ["openai/gpt-4.1-nano", "openai/gpt-4o-mini"],
      // 500 × 0.1 + 200 × 0.4 = 130 µUSD
      estimatedCostMicroUsd: 130,
      passedOver: [],
    });
    expect(selector.select(input({ hasTools: true }))).toMatchObject({
      rule: "tools",
      target: "openai/gpt-4.1",
      chain: ["openai/gpt-4.1", "openai/gpt-4o"],
    });
    expect(selector.select(input({ task: "classify", promptTokens: 5_000 }))).toMatchObject({
      rule: "extraction",
      target: "openai/gpt-4.1-nano",
    });
    expect(selector.select(input({ promptTokens: 10_000 }))).toMatchObject({
      rule: "long",
      target: "openai/gpt-4o-mini",
    });
  });

  it("never sends a prompt to a model whose context it would exceed, and says which rules had no room", () => {
    // 40,000 prompt tokens + 200: too much for nano (32k), so the extraction rule takes gpt-4o-mini.
    expect(selector.select(input({ task: "extract", promptTokens: 40_000 }))).toMatchObject({
      rule: "extraction",
      target: "openai/gpt-4o-mini",
      chain: ["openai/gpt-4o-mini"],
    });
    // 200,000 tokens: no extraction target fits, so "long" chooses the 1M-token model.
    expect(selector.select(input({ task: "extract", promptTokens: 200_000 }))).toMatchObject({
      rule: "long",
      target: "openai/gpt-4.1",
      passedOver: ["extraction"],
    });
    // The completion counts too: 127,000 + maxTokens 2,000 > 128k.
    expect(selector.select(input({ promptTokens: 127_000, maxTokens: 2_000 })).target).toBe("openai/gpt-4.1");
    // Without maxTokens, defaultCompletionTokens (1,024) is assumed.
    expect(selector.select(input({ promptTokens: 127_000, maxTokens: undefined })).target).toBe("openai/gpt-4.1");
    expect(selector.select(input({ promptTokens: 126_000, maxTokens: undefined })).target).toBe("openai/gpt-4o-mini");
  });

  it("falls back to the cheapest candidate that fits, or refuses a prompt no model can take", () => {
    const narrow = createModelSelector({
      candidates,
      rules: [{ name: "tiny", when: { tasks: ["x"] }, targets: ["openai/gpt-4.1-nano"] }],
    });
    expect(narrow.select(input({ hasResponseSchema: true }))).toMatchObject({
      rule: "default",
      target: "openai/gpt-4.1-nano",
    });
    const error = (() => {
      try {
        narrow.select(input({ promptTokens: 999_500, maxTokens: 1_000 }));
      } catch (caught) {
        return caught;
      }
    })();
    expect(KeelError.isInstance(error) && [error.code, error.details]).toEqual([
      "BAD_REQUEST",
      {
        field: "messages",
        reason: "context-length",
        promptTokens: 999_500,
        completionTokens: 1_000,
        largestContextWindow: 1_000_000,
      },
    ]);
    const strict = createModelSelector({
      candidates,
      rules: [{ name: "tiny", when: { tasks: ["x"] }, targets: ["openai/gpt-4.1-nano"] }],
      fallbackToCheapest: false,
    });
    expect(() => strict.select(input())).toThrow(KeelError);
  });

  it("chooses rule \"default\" among defaultTargets only (a route's own chain), never a rule's special target", () => {
    const routeChain = createModelSelector({
      candidates,
      rules: [{ name: "tiny", when: { tasks: ["x"] }, targets: ["openai/gpt-4.1-nano"] }],
      defaultTargets: ["openai/gpt-4o", "openai/gpt-4.1"],
    });
    expect(routeChain.select(input())).toMatchObject({ rule: "default", target: "openai/gpt-4.1" });
    expect(() => createModelSelector({ candidates, rules: [], defaultTargets: ["openai/unknown"] })).toThrow(
      "selection.defaultTargets.0 names openai/unknown, which is not a candidate",
    );
  });

  it("escalates once to the rule's or the route's stronger target, if it fits and differs", () => {
    const short = selector.select(input());
    expect(selector.escalate({ selection: short, input: input(), reason: "validation" })).toEqual({
      from: "openai/gpt-4.1-nano",
      to: "openai/gpt-4o",
      reason: "validation",
    });
    const long = selector.select(input({ promptTokens: 10_000 }));
    expect(
      selector.escalate({ selection: long, input: input({ promptTokens: 10_000 }), reason: "claim-check" })?.to,
    ).toBe("openai/gpt-4.1");
    const tools = selector.select(input({ hasTools: true, promptTokens: 200_000 }));
    expect(tools.target).toBe("openai/gpt-4.1");
    // The route's escalation (gpt-4o, 128k) has no room for 200k tokens.
    expect(
      selector.escalate({
        selection: tools,
        input: input({ hasTools: true, promptTokens: 200_000 }),
        reason: "validation",
      }),
    ).toBeUndefined();
    const already = { ...short, target: "openai/gpt-4o" };
    expect(selector.escalate({ selection: already, input: input(), reason: "validation" })).toBeUndefined();
    expect(
      createModelSelector({ candidates, rules: [] }).escalate({
        selection: short,
        input: input(),
        reason: "validation",
      }),
    ).toBeUndefined();
  });

  it("reads tools, schema, maxTokens and the task tag from a chat request", () => {
    const base = { model: "smart", messages: [{ role: "user" as const, content: "hi" }] };
    expect(selectionInputOf(base, { promptTokens: 12 })).toEqual({
      promptTokens: 12,
      hasTools: false,
      hasResponseSchema: false,
    });
    expect(
      selectionInputOf(
        {
          ...base,
          maxTokens: 50,
          tools: [{ type: "function", function: { name: "lookup" } }],
          responseFormat: { type: "json_schema", jsonSchema: { name: "x", schema: {} } },
        },
        { promptTokens: 12, task: "extract" },
      ),
    ).toEqual({ promptTokens: 12, maxTokens: 50, hasTools: true, hasResponseSchema: true, task: "extract" });
    expect(selectionInputOf({ ...base, structured: { schema: {} } }, { promptTokens: 1 }).hasResponseSchema).toBe(true);
  });

  it("refuses a config whose references do not resolve, naming the field", () => {
    const broken: [ModelSelectionOptions, string][] = [
      [{ candidates: [], rules: [] }, "selection.candidates"],
      [{ candidates: [...candidates, candidates[0]!], rules: [] }, "selection.candidates.4.target"],
      [{ candidates, rules: [{ name: "r", targets: ["openai/unknown"] }] }, "selection.rules.0.targets.0"],
      [{ candidates, rules: [{ name: "default", targets: ["openai/gpt-4o"] }] }, "selection.rules.0.name"],
      [
        {
          candidates,
          rules: [
            { name: "r", targets: ["openai/gpt-4o"] },
            { name: "r", targets: ["openai/gpt-4o"] },
          ],
        },
        "selection.rules.1.name",
      ],
      [{ candidates, rules: [{ name: "r", targets: [] }] }, "selection.rules.0.targets"],
      [
        {
          candidates,
          rules: [{ name: "r", when: { minPromptTokens: 10, maxPromptTokens: 5 }, targets: ["openai/gpt-4o"] }],
        },
        "selection.rules.0.when",
      ],
      [{ candidates, rules: [], escalation: "openai/nope" }, "selection.escalation"],
      [{ candidates: [{ ...candidates[0]!, contextWindow: 0 }], rules: [] }, "selection.candidates.0.contextWindow"],
      [
        { candidates: [{ ...candidates[0]!, price: { inputPerMillion: -1, outputPerMillion: 0 } }], rules: [] },
        "selection.candidates.0.price.inputPerMillion",
      ],
    ];
    for (const [config, field] of broken) {
      const error = (() => {
        try {
          createModelSelector(config);
        } catch (caught) {
          return caught;
        }
      })();
      expect(KeelError.isInstance(error) && error.details.field).toBe(field);
    }
    expect(() => selector.select(input({ promptTokens: -1 }))).toThrow(KeelError);
  });
});
