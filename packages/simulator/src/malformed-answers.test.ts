import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { SimulatorRuleError } from "./rule-validation.ts";
import type { SimulatorMalformedForm } from "./types.ts";
import { rawRequest, useSimulator, userMessage } from "./test-support/simulator-fixtures.ts";

const ask = { model: "gpt-4o-mini", messages: userMessage("Tell me a story") };
const REPLY = "one two three four";

async function answerUnder(form: SimulatorMalformedForm, stream: boolean) {
  const { simulator } = await useSimulator({ rules: [{ reply: REPLY, fault: { type: "malformed", form } }] });
  return rawRequest(`${simulator.url}/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ ...ask, stream }),
  });
}

/** The SSE events of a raw body: the text before each blank line (LF framing). */
const events = (body: string) => body.split("\n\n").filter((event) => event !== "");

describe("malformed forms on JSON calls", () => {
  it("truncated (the default): JSON cut off mid-string", async () => {
    const raw = await answerUnder("truncated", false);
    expect(raw.status).toBe(200);
    expect(raw.headers["content-type"]).toBe("application/json");
    expect(raw.body.endsWith('"content":"cut')).toBe(true);
    expect(() => JSON.parse(raw.body)).toThrow(SyntaxError);
  });

  it("invalid-json: a complete body that is not JSON", async () => {
    const raw = await answerUnder("invalid-json", false);
    expect(raw.status).toBe(200);
    expect(raw.body.startsWith("{") && raw.body.endsWith("}")).toBe(true);
    expect(() => JSON.parse(raw.body)).toThrow(SyntaxError);
  });

  it("wrong-content-type: a 200 HTML page", async () => {
    const raw = await answerUnder("wrong-content-type", false);
    expect(raw.status).toBe(200);
    expect(raw.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(raw.body).toContain("<h1>502 Bad Gateway</h1>");
  });

  it("empty-body: a 200 with nothing in it", async () => {
    const raw = await answerUnder("empty-body", false);
    expect(raw.status).toBe(200);
    expect(raw.headers["content-length"]).toBe("0");
    expect(raw.body).toBe("");
  });

  it("unknown-shape: valid JSON without choices", async () => {
    const raw = await answerUnder("unknown-shape", false);
    const body = JSON.parse(raw.body);
    expect(body.object).toBe("unexpected.result");
    expect(body.choices).toBeNull();
  });

  it("no-blank-line concerns SSE framing only: a JSON call gets its normal answer", async () => {
    const raw = await answerUnder("no-blank-line", false);
    expect(JSON.parse(raw.body).choices[0].message.content).toBe(REPLY);
  });

  it("oversized: a valid completion whose content is `bytes` long", async () => {
    const { simulator } = await useSimulator({
      rules: [{ fault: { type: "malformed", form: "oversized", bytes: 3_000_000 } }],
    });
    const raw = await rawRequest(`${simulator.url}/chat/completions`, { method: "POST", body: JSON.stringify(ask) });
    const body = JSON.parse(raw.body);
    expect(body.choices[0].message.content).toBe("x".repeat(3_000_000));
    expect(body.choices[0].finish_reason).toBe("stop");
  });
});

describe("malformed forms on streamed calls", () => {
  it("truncated: role, one content chunk, then a data line cut mid-JSON", async () => {
    const raw = await answerUnder("truncated", true);
    const list = events(raw.body);
    expect(JSON.parse(list[1]!.slice(6)).choices[0].delta.content).toBe("one");
    expect(() => JSON.parse(list.at(-1)!.slice(6))).toThrow(SyntaxError);
    expect(raw.body).not.toContain("[DONE]");
  });

  it("invalid-json: one complete data line that is not JSON, between good chunks, then [DONE]", async () => {
    const list = events((await answerUnder("invalid-json", true)).body);
    expect(list[2]).toBe("data: {not json at all");
    const contents = list
      .filter((event) => event !== list[2] && event !== "data: [DONE]")
      .map((event) => JSON.parse(event.slice(6)).choices[0].delta.content ?? "");
    expect(contents.join("")).toBe(REPLY);
    expect(list.at(-1)).toBe("data: [DONE]");
  });

  it("unknown-shape: a chunk of an unexpected shape mid-stream", async () => {
    const list = events((await answerUnder("unknown-shape", true)).body);
    expect(JSON.parse(list[2]!.slice(6))).toEqual({ object: "unexpected.event", payload: [1, 2, 3] });
    expect(list.at(-1)).toBe("data: [DONE]");
  });

  it("wrong-content-type: the stream is an HTML page", async () => {
    const raw = await answerUnder("wrong-content-type", true);
    expect(raw.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(raw.body).toContain("502 Bad Gateway");
  });

  it("empty-body: SSE headers and not a single event", async () => {
    const raw = await answerUnder("empty-body", true);
    expect(raw.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(raw.body).toBe("");
  });

  it("no-blank-line: the finish chunk is never terminated and [DONE] never comes", async () => {
    const raw = await answerUnder("no-blank-line", true);
    expect(raw.body.endsWith("}")).toBe(true);
    const last = raw.body.slice(raw.body.lastIndexOf("\n\n") + 2);
    expect(JSON.parse(last.slice(6)).choices[0].finish_reason).toBe("stop");
    expect(raw.body).not.toContain("[DONE]");
  });

  it("oversized: one SSE line of `bytes`, then the normal ending", async () => {
    const { simulator } = await useSimulator({
      rules: [{ fault: { type: "malformed", form: "oversized", bytes: 2_500_000 } }],
    });
    const raw = await rawRequest(`${simulator.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ ...ask, stream: true }),
    });
    const list = events(raw.body);
    expect(list[1]!.length).toBeGreaterThan(2_500_000);
    expect(JSON.parse(list[1]!.slice(6)).choices[0].delta.content).toBe("x".repeat(2_500_000));
    expect(list.at(-1)).toBe("data: [DONE]");
  });

  it("oversized with a huge size is an endless line that stops when the client goes away", async () => {
    const { simulator } = await useSimulator({
      rules: [{ fault: { type: "malformed", form: "oversized", bytes: 1024 * 1024 * 1024 } }],
    });
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const outgoing = httpRequest(`${simulator.url}/chat/completions`, { method: "POST" }, (incoming) => {
        incoming.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > 4 * 1024 * 1024) incoming.destroy();
        });
        incoming.once("close", () => resolve());
      });
      outgoing.once("error", reject);
      outgoing.end(JSON.stringify({ ...ask, stream: true }));
    });
    await simulator.waitFor((stats) => stats.inFlight === 0 && stats.clientAborts === 1, 5_000);
    expect(received).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("malformed rule validation", () => {
  it("names the field of an unknown form or a misplaced size", async () => {
    const { simulator } = await useSimulator();
    let caught: unknown;
    try {
      simulator.setRules([{ fault: { type: "malformed", form: "weird" as "truncated" } }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SimulatorRuleError);
    expect((caught as SimulatorRuleError).path).toBe("rules[0].fault.form");
    expect((caught as SimulatorRuleError).message).toMatch(/must be one of truncated, invalid-json/);
    const misplaced = () => simulator.setRules([{ fault: { type: "malformed", form: "empty-body", bytes: 10 } }]);
    expect(misplaced).toThrow(/rules\[0\]\.fault\.bytes: applies to form "oversized" only/);
    const tooBig = () =>
      simulator.setRules([{ fault: { type: "malformed", form: "oversized", bytes: 2 * 1024 * 1024 * 1024 } }]);
    expect(tooBig).toThrow(/rules\[0\]\.fault\.bytes: must be an integer from 1 to 1073741824/);
  });
});
