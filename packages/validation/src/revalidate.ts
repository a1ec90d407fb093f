import type { ChatRequest, Generation } from "@keel/spec";
import { extractJson } from "./extract-json.ts";
import { validateValue } from "./validate-value.ts";

/**
 * For the cache's verify hook: true when a cached answer may be served for this request.
 * Requests without `structured` accept anything; structured ones accept only an answer
 * whose value (its `data`, else its parsed `content`) satisfies the request's schema and
 * validators now, so a changed schema never gets an answer stored under an older one.
 * `scope` (the tenant, when the caller knows it) picks the compiled-schema cache.
 */
export function revalidate(request: ChatRequest, cached: Generation, scope?: string): boolean {
  const spec = request.structured;
  if (spec === undefined) return true;
  let value = cached.data;
  if (value === undefined) {
    const extracted = extractJson(cached.content);
    if (!extracted.success) return false;
    value = extracted.value;
  }
  try {
    return validateValue(spec, value, scope === undefined ? undefined : { scope }).length === 0;
  } catch {
    // A bad schema is reported by the middleware; here it only means "do not serve".
    return false;
  }
}
