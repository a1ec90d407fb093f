import type { AlertState } from "../alerts/types.ts";
import type { CircuitState } from "../metrics/names.ts";

/**
 * What of the process-wide state one tenant may see in its snapshot: the breakers of the
 * targets that served its own requests (its figures are kept per answering model, which a
 * target "provider/model" matches, or per route when nothing answered, whose targets
 * `routeTargets` lists), and only the availability alerts about those targets. The
 * error-rate, latency and cost alerts judge every tenant's traffic together (another
 * tenant's spend), so a tenant's snapshot never carries them. Alerts about one tenant (its
 * budget thresholds) reach that tenant only.
 */
export function scopeToTenant(
  state: { breakers: Record<string, CircuitState>; alerts: AlertState[] },
  tenant: { name: string; models: readonly string[]; routeTargets: Readonly<Record<string, readonly string[]>> },
): { breakers: Record<string, CircuitState>; alerts: AlertState[] } {
  const models = new Set(tenant.models);
  const routed = new Set(
    tenant.models.flatMap((model) =>
      Object.hasOwn(tenant.routeTargets, model) ? (tenant.routeTargets[model] ?? []) : [],
    ),
  );
  const usedBy = (target: string) =>
    routed.has(target) || models.has(target) || models.has(target.slice(target.indexOf("/") + 1));
  const breakers: Record<string, CircuitState> = {};
  for (const [target, circuit] of Object.entries(state.breakers)) if (usedBy(target)) breakers[target] = circuit;
  const alerts = state.alerts.filter((alert) =>
    alert.tenant === undefined ? alert.target !== undefined && alert.target in breakers : alert.tenant === tenant.name,
  );
  return { breakers, alerts };
}
