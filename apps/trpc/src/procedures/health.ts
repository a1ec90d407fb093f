import { callerReadiness, type Pipeline } from "@keel/core";
import { publicProcedure } from "../trpc.ts";

/** Liveness and readiness in one typed call (the host also answers /healthz and /readyz). */
export function createHealthProcedure(pipeline: Pipeline) {
  return publicProcedure.query(async () => {
    // Without the checks' details (upstream target names, Redis error text): those are for /readyz.
    const readiness = callerReadiness(await pipeline.readiness());
    return { status: "ok" as const, ready: readiness.ready, checks: readiness.checks };
  });
}
