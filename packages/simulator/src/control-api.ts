import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidUrlBody, readJsonBody, sendPlainJson } from "./http-body.ts";
import { SimulatorRuleError } from "./rule-validation.ts";
import type { SimulatorStats } from "./types.ts";
import { errorBody } from "./wire-format.ts";

export interface ControlTarget {
  /** Validates (throwing SimulatorRuleError) and installs a scenario. */
  setRules(rules: unknown): void;
  reset(): void;
  stats(): SimulatorStats;
}

/** The control API under /_sim: the programmatic handle, over HTTP. */
export function handleControl(
  request: IncomingMessage,
  response: ServerResponse,
  target: { path: string; handle: ControlTarget },
): void {
  const { path, handle } = target;
  const route = `${request.method ?? "GET"} ${path}`;
  switch (route) {
    case "GET /_sim/health":
      sendPlainJson(response, 200, { status: "ok" });
      return;
    case "GET /_sim/stats":
      sendPlainJson(response, 200, handle.stats());
      return;
    case "POST /_sim/reset":
      handle.reset();
      sendPlainJson(response, 200, { ok: true });
      return;
    case "POST /_sim/rules":
      readJsonBody(request, (body) => {
        if (!body.ok) {
          sendPlainJson(response, body.status, errorBody({ message: body.message, type: "invalid_request_error" }));
          return;
        }
        const rules = (body.value as { rules?: unknown } | null)?.rules;
        try {
          handle.setRules(rules);
          sendPlainJson(response, 200, { ok: true, rules: (rules as unknown[]).length });
        } catch (error) {
          if (!(error instanceof SimulatorRuleError)) throw error;
          const fields = {
            message: error.message,
            type: "invalid_request_error",
            code: "invalid_rules",
            param: error.path,
          };
          sendPlainJson(response, 400, errorBody(fields));
        }
      });
      return;
    default:
      sendPlainJson(response, 404, invalidUrlBody(request.method, path));
  }
}
