import { describe, expect, it } from "vitest";
import { closestName, didYouMean } from "./closest-name.ts";

describe("closestName", () => {
  it("finds typos: a missing, an extra, a swapped or a wrongly cased letter", () => {
    expect(closestName("temprature", ["temperature", "topP", "seed"])).toBe("temperature");
    expect(closestName("staticFalback", ["targets", "staticFallback", "timeoutMs"])).toBe("staticFallback");
    expect(closestName("model", ["models", "prices"])).toBe("models");
    expect(closestName("levle", ["level", "logPrompts"])).toBe("level");
    expect(closestName("TimeoutMs", ["timeoutMs"])).toBe("timeoutMs");
  });

  it("suggests nothing for a different word or the name itself", () => {
    expect(closestName("colour", ["temperature", "model"])).toBeUndefined();
    expect(closestName("openai/gpt-4.1", ["openai/gpt-4o-mini", "local/llama-3.1-8b"])).toBeUndefined();
    expect(closestName("model", ["model"])).toBeUndefined();
    expect(closestName("x", [])).toBeUndefined();
  });

  it("didYouMean words the hint both services and the config loader give", () => {
    expect(didYouMean("temprature", ["temperature"])).toBe('did you mean "temperature"?');
    expect(didYouMean("zzz", ["temperature"])).toBeUndefined();
  });
});
