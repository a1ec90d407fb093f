import { initTRPC } from "@trpc/server";
import type { KeelTrpcContext } from "./context.ts";
import { formatError } from "./error-formatter.ts";

/**
 * A ping event after 15 s of silence keeps an SSE stream alive through proxies while a slow
 * model has not yet sent its first token (tRPC's producer and src/sse/ both use it).
 */
export const SSE_PING_INTERVAL_MS = 15_000;

/**
 * The tRPC instance. No data transformer, so a plain JSON body works from curl and the
 * wire format is the Generation envelope as is (docs/design.md, service contract).
 */
const t = initTRPC.context<KeelTrpcContext>().create({
  errorFormatter: ({ error, path }) => formatError({ error, path }),
  sse: { ping: { enabled: true, intervalMs: SSE_PING_INTERVAL_MS } },
});

export const router = t.router;
export const publicProcedure = t.procedure;
