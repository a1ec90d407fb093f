import { requireRole } from "@keel/core";
import { publicProcedure } from "./trpc.ts";

/**
 * A procedure the caller's API key must open: the context's credential (the
 * Authorization header, or the subscription's connection params) becomes the principal,
 * once per HTTP request, before the procedure's input is even read. Every bad key is the
 * same UNAUTHENTICATED; the procedure sees `ctx.principal`.
 */
export const authenticatedProcedure = publicProcedure.use(async ({ ctx, next }) =>
  next({ ctx: { principal: await ctx.authenticate() } }),
);

/** Admin operations (role admin, FORBIDDEN otherwise). */
export const adminProcedure = authenticatedProcedure.use(({ ctx, next }) => {
  requireRole(ctx.principal, "admin");
  return next();
});
