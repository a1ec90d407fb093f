import { KeelError, type RequestRoute } from "@keel/spec";
import type { RouteConfig } from "../config/schema.ts";

/** A configured route: its settings, and the fallback chain that serves it. */
export interface Route extends RequestRoute {
  readonly settings: RouteConfig;
}

/** Finds the route a caller asked for (`request.model`); an unknown one is BAD_REQUEST before any upstream call. */
export type RouteLookup = (name: string) => Route;

/**
 * Looks routes up by name among `routes` (every configured route with its chain, built
 * once by createRouteChains). The pipeline resolves a request's route here, once, when it
 * admits the request, and carries it in the request's context (`ctx.route`) down to the
 * innermost model, which calls the chain it names.
 */
export function createRouteLookup(routes: ReadonlyMap<string, Route>): RouteLookup {
  const known = [...routes.keys()].sort().join(", ") || "(none)";
  return (name) => {
    // A Map, not the config object: a model named "constructor" or "__proto__" must not match Object.prototype.
    const route = routes.get(name);
    if (route !== undefined) return route;
    throw new KeelError("BAD_REQUEST", `unknown model "${name}"; this deployment serves: ${known}`, {
      details: { field: "model", reason: "unknown-model" },
    });
  };
}
