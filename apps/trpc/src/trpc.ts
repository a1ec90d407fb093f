import { initTRPC } from "@trpc/server";
import type { KeelTrpcContext } from "./context.ts";
import { formatError } from "./error-formatter.ts";

/**
 * The tRPC instance. No data transformer, so a plain JSON body works from curl and the
 * wire format is the Generation envelope as is (docs/design.md, service contract).
 */
const t = initTRPC.context<KeelTrpcContext>().create({
  errorFormatter: ({ error, path }) => formatError({ error, path }),
  // A comment line every 15 s keeps an SSE stream alive through proxies while a slow
  // model has not yet sent its first token.
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
});

export const router = t.router;
export const publicProcedure = t.procedure;
