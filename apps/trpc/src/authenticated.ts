import { requireRole } from "@keel/core";
import type { ApiKeyRole } from "@keel/spec";
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

/**
 * A procedure for `role` and above (caller < reviewer < admin), FORBIDDEN otherwise.
 * Operations on one tenant's items (the review queue) check the item's tenant as well,
 * once they know it: `requireRole(ctx.principal, "reviewer", { tenant })`.
 */
export function procedureFor(role: ApiKeyRole) {
  return authenticatedProcedure.use(({ ctx, next }) => {
    requireRole(ctx.principal, role);
    return next();
  });
}

/** Admin operations (role admin): keys and usage of every tenant. */
export const adminProcedure = procedureFor("admin");

/** Reviewer operations (role reviewer or admin), scoped to the reviewer's own tenant. */
export const reviewerProcedure = procedureFor("reviewer");
