import { type SimulatorHandle, startSimulator } from "@keel/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModerationDetector } from "./moderation-detector.ts";

let simulator: SimulatorHandle;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, models: ["omni-moderation-latest"] });
});
afterAll(() => simulator.close());

describe("moderation detector against the simulator", () => {
  it("turns flagged categories into findings over the whole text", async () => {
    const detector = createModerationDetector({ baseURL: simulator.url, apiKey: "key" });
    const text = "You are an idiot and I will kill it";
    const findings = await detector.detectAsync(text);
    expect(findings.map((finding) => finding.kind).sort()).toEqual(["HARASSMENT", "VIOLENCE"]);
    for (const finding of findings) {
      expect(finding).toMatchObject({ start: 0, end: text.length, detector: "moderation" });
      expect(finding.score).toBeGreaterThan(0.5);
    }
  });

  it("reports nothing for clean text", async () => {
    const detector = createModerationDetector({ baseURL: `${simulator.url}/`, apiKey: "key" });
    expect(await detector.detectAsync("Have a nice day")).toEqual([]);
  });

  it("rejects with the status when the endpoint fails", async () => {
    const detector = createModerationDetector({ baseURL: simulator.url, apiKey: "key", model: "no-such-model" });
    await expect(detector.detectAsync("hello")).rejects.toThrow(/moderation endpoint answered 4\d\d/);
  });
});
