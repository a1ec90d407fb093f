import type { Exchange } from "./exchange.ts";
import type { RequestProblem } from "./chat-request.ts";

// A fixed date, so the model list is the same on every run.
const CREATED = 1_715_367_049;

/** The models the simulator answers for, and GET /v1/models[/id]. */
export function createModelCatalogue(models: readonly string[]) {
  const names: ReadonlySet<string> = new Set(models);
  const entries = new Map(
    models.map((id) => [id, JSON.stringify({ id, object: "model", created: CREATED, owned_by: "keel-simulator" })]),
  );
  const listBody = `{"object":"list","data":[${[...entries.values()].join(",")}]}`;

  const notFound = (model: string): RequestProblem => ({
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    code: "model_not_found",
    param: null,
  });

  const serve = (exchange: Exchange, path: string): void => {
    if (path === "/v1/models") {
      exchange.sendJson(200, listBody);
      return;
    }
    const id = decodeURIComponent(path.slice("/v1/models/".length));
    const entry = entries.get(id);
    if (entry === undefined) exchange.sendError(404, notFound(id));
    else exchange.sendJson(200, entry);
  };

  return { names, notFound, serve };
}
