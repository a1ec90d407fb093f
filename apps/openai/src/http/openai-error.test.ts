import { describe, expect, it } from "vitest";
import { HTTP_STATUS_BY_CODE, KEEL_ERROR_CODES, KeelError } from "@keel/spec";
import { toOpenaiError } from "./openai-error.ts";

describe("toOpenaiError", () => {
  it("answers every Keel code with the status every service uses, the code itself and OpenAI's type for the status", () => {
    const types: Record<number, string> = {
      400: "invalid_request_error",
      401: "authentication_error",
      402: "insufficient_quota",
      403: "permission_error",
      422: "invalid_request_error",
      429: "rate_limit_error",
      500: "server_error",
      502: "server_error",
      503: "server_error",
      504: "server_error",
    };
    for (const code of KEEL_ERROR_CODES) {
      const { status, body } = toOpenaiError(new KeelError(code, "words"));
      expect(status, code).toBe(HTTP_STATUS_BY_CODE[code]);
      expect(body.error, code).toMatchObject({ message: "words", code, type: types[status], param: null });
    }
  });

  it("makes a BAD_REQUEST precise by its reason: unknown model 404, 405, 413, 415", () => {
    const statusOf = (reason: string) =>
      toOpenaiError(new KeelError("BAD_REQUEST", "m", { details: { reason } })).status;
    expect(
      ["unknown-model", "not-found", "method-not-allowed", "body-too-large", "unsupported-media-type", "other"].map(
        statusOf,
      ),
    ).toEqual([404, 404, 405, 413, 415, 400]);
  });

  it("names the field as param, but not a placeholder such as (body), and keeps retryable and details under keel", () => {
    const field = toOpenaiError(new KeelError("BAD_REQUEST", "m", { details: { field: "messages.0.content" } }));
    expect(field.body.error.param).toBe("messages.0.content");
    const body = toOpenaiError(new KeelError("BAD_REQUEST", "m", { details: { field: "(body)" } }));
    expect(body.body.error.param).toBeNull();
    const upstream = toOpenaiError(new KeelError("UPSTREAM_TIMEOUT", "slow", { details: { reason: "deadline" } }));
    expect(upstream.body.error.keel).toEqual({ retryable: true, details: { reason: "deadline" } });
  });
});
