import { KeelError, isRetryable, type Middleware } from "@keel/spec";

// A middleware that tags every answer; a missing hook passes calls through unchanged.
export const tagMiddleware: Middleware = {
  name: "tag",
  async wrapGenerate({ request, ctx, next }) {
    const generation = await next(request, ctx);
    return { ...generation, content: `[${ctx.tenant}] ${generation.content}` };
  },
};

const error = new KeelError("UPSTREAM_UNAVAILABLE", "upstream answered 503", { status: 503 });
console.log(isRetryable(error)); // true: 408, 409, 429 and 5xx are retryable; 400/401/403/404/422 never
console.log(error.toJSON()); // { code, message, retryable, details }: the caller-safe body
