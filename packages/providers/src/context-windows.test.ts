import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { createContextWindowTable } from "./context-windows.ts";

describe("context-window table", () => {
  const windows = createContextWindowTable();

  it("knows the listed models, dated snapshots included", () => {
    expect(windows.lookup("gpt-4o-mini")).toBe(128_000);
    expect(windows.lookup("gpt-4.1-nano-2025-04-14")).toBe(1_047_576);
    expect(windows.lookup("gpt-4-0613")).toBe(8_192);
    expect(windows.lookup("llama-3-8b")).toBeUndefined();
  });

  it("takes overrides and additions, and refuses a window that is not a positive whole number", () => {
    const custom = createContextWindowTable({ "gpt-4o-mini": 4_096, "llama-3-8b": 8_192 });
    expect(custom.lookup("gpt-4o-mini-2024-07-18")).toBe(4_096);
    expect(custom.lookup("llama-3-8b-instruct")).toBe(8_192);
    expect(windows.lookup("gpt-4o-mini")).toBe(128_000);
    const attempt = () => createContextWindowTable({ broken: 0.5 });
    expect(attempt).toThrow(KeelError);
    expect(attempt).toThrow(/contextWindow|context window/);
  });
});
