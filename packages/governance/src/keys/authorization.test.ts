import { KeelError } from "@keel/spec";
import { describe, expect, it } from "vitest";
import { NAUGHTY_STRINGS } from "../test-support/naughty-strings.ts";
import { bearerToken, canUseModel, hasRole, requireModel, requireRole } from "./authorization.ts";

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("authorization helpers", () => {
  it("takes the token out of an Authorization header, and nothing out of anything else", () => {
    expect(bearerToken("Bearer keel_abc_def")).toBe("keel_abc_def");
    expect(bearerToken("bearer   keel_abc_def  ")).toBe("keel_abc_def");
    for (const header of [undefined, null, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer two tokens", "keel_abc_def"]) {
      expect(bearerToken(header)).toBeUndefined();
    }
    for (const text of NAUGHTY_STRINGS) {
      const token = bearerToken(`Bearer ${text}`);
      if (token !== undefined) expect(token).toBe(text.trim());
    }
  });

  it("ranks roles caller < reviewer < admin", () => {
    expect(hasRole({ role: "admin" }, "reviewer")).toBe(true);
    expect(hasRole({ role: "reviewer" }, "caller")).toBe(true);
    expect(hasRole({ role: "reviewer" }, "admin")).toBe(false);
    expect(hasRole({ role: "caller" }, "reviewer")).toBe(false);
    const error = thrown(() => requireRole({ role: "caller" }, "admin"));
    expect(KeelError.isInstance(error) && [error.code, error.details]).toEqual([
      "FORBIDDEN",
      { reason: "role", required: "admin" },
    ]);
    expect(thrown(() => requireRole({ role: "admin" }, "admin"))).toBeUndefined();
  });

  it("allows every model without a list or with *, else only the listed routes", () => {
    expect(canUseModel({}, "gpt-4o")).toBe(true);
    expect(canUseModel({ allowedModels: ["*"] }, "anything")).toBe(true);
    expect(canUseModel({ allowedModels: ["gpt-4o-mini"] }, "gpt-4o-mini")).toBe(true);
    expect(canUseModel({ allowedModels: ["gpt-4o-mini"] }, "gpt-4o")).toBe(false);
    expect(canUseModel({ allowedModels: [] }, "gpt-4o")).toBe(false);
    const error = thrown(() => requireModel({ allowedModels: ["gpt-4o-mini"] }, "gpt-4o"));
    expect(KeelError.isInstance(error) && [error.code, error.details.reason]).toEqual([
      "FORBIDDEN",
      "model-not-allowed",
    ]);
  });
});
