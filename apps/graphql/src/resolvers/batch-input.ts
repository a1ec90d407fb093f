import type { BatchItemInput, BatchRequestInput } from "@keel/core";
import { GENERATE_JSON_FIELDS, STRUCTURED_JSON_FIELDS, withoutNulls } from "./caller-input.ts";

/** BatchInput as GraphQL hands it (the @oneOf items hold exactly one non-null field). */
export interface BatchInputArgs {
  items: Array<{ generate?: Record<string, unknown> | null; structured?: Record<string, unknown> | null }>;
  concurrency?: number | null;
}

/** GraphQL's batch input as core's: nulls dropped (never inside caller-owned JSON values); core checks each item. */
export function toBatchRequest(input: BatchInputArgs): BatchRequestInput {
  const items = input.items.map((item): unknown =>
    item.generate != null
      ? { generate: withoutNulls(item.generate, GENERATE_JSON_FIELDS) }
      : { structured: withoutNulls(item.structured ?? {}, STRUCTURED_JSON_FIELDS) },
  ) as BatchItemInput[];
  return input.concurrency == null ? { items } : { items, concurrency: input.concurrency };
}
