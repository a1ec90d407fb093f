import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HTTP_STATUS_BY_CODE, KEEL_ERROR_CODES, KeelError } from "@keel/spec";
import { TRPC_CODE_BY_KEEL_CODE } from "./error-codes.ts";
import { formatError } from "./error-formatter.ts";

describe("formatError", () => {
  it("maps every Keel code to a tRPC code with the same HTTP status as HTTP_STATUS_BY_CODE", () => {
    for (const code of KEEL_ERROR_CODES) {
      const trpcCode = TRPC_CODE_BY_KEEL_CODE[code];
      expect(getHTTPStatusCodeFromError(new TRPCError({ code: trpcCode })), code).toBe(HTTP_STATUS_BY_CODE[code]);
      const shape = formatError({
        error: new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new KeelError(code, "m") }),
        path: "ai.generate",
      });
      expect(shape.data).toMatchObject({
        code: trpcCode,
        keelCode: code,
        httpStatus: HTTP_STATUS_BY_CODE[code],
        path: "ai.generate",
      });
      expect(shape.code).toBe(TRPC_ERROR_CODES_BY_KEY[trpcCode]);
    }
  });

  it("passes a KeelError's message, retryability and details", () => {
    const cause = new KeelError("UPSTREAM_TIMEOUT", "too slow", { details: { target: "sim/x", reason: "deadline" } });
    const shape = formatError({ error: new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause }), path: undefined });
    expect(shape).toEqual({
      code: TRPC_ERROR_CODES_BY_KEY.GATEWAY_TIMEOUT,
      message: "too slow",
      data: {
        code: "GATEWAY_TIMEOUT",
        httpStatus: 504,
        keelCode: "UPSTREAM_TIMEOUT",
        retryable: true,
        details: { target: "sim/x", reason: "deadline" },
      },
    });
  });

  it("hides an unknown error behind INTERNAL with a generic message and no stack", () => {
    const error = new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new Error("password=hunter2") });
    const shape = formatError({ error, path: "ai.generate" });
    expect(shape.message).toBe("internal error");
    expect(shape.data.keelCode).toBe("INTERNAL");
    expect(JSON.stringify(shape)).not.toMatch(/hunter2|stack/);
  });

  it("turns a zod input failure into BAD_REQUEST naming the field", () => {
    const parsed = z
      .object({ messages: z.array(z.object({ content: z.string() })) })
      .safeParse({ messages: [{ content: 1 }] });
    if (parsed.success) throw new Error("expected a failure");
    const shape = formatError({
      error: new TRPCError({ code: "BAD_REQUEST", cause: parsed.error }),
      path: "ai.generate",
    });
    expect(shape.data).toMatchObject({
      code: "BAD_REQUEST",
      keelCode: "BAD_REQUEST",
      details: { field: "messages.0.content" },
    });
    expect(shape.message).toMatch(/^messages\.0\.content: .*expected string/);
  });

  it("keeps tRPC's transport codes but calls them BAD_REQUEST", () => {
    const shape = formatError({
      error: new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: "Unsupported GET-request to mutation procedure" }),
      path: "ai.generate",
    });
    expect(shape.data).toMatchObject({ code: "METHOD_NOT_SUPPORTED", httpStatus: 405, keelCode: "BAD_REQUEST" });
  });
});
