import { callerReadiness } from "@keel/core";
import type { GraphqlContext } from "../context.ts";

interface HealthView {
  status: "ok" | "unavailable";
  ready: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
}

/** Query.health: the readiness GET /readyz reports, as a typed object, without the checks' operator details. */
export async function health(_parent: unknown, _args: unknown, context: GraphqlContext): Promise<HealthView> {
  const readiness = callerReadiness(await context.pipeline.readiness());
  const checks = Object.entries(readiness.checks).map(([name, check]) => ({ name, ...check }));
  return { status: readiness.ready ? "ok" : "unavailable", ready: readiness.ready, checks };
}
