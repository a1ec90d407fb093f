import type { KeelErrorBody } from "./errors.ts";
import type { Generation } from "./generation.ts";

/**
 * What a stream yields: any number of deltas, then exactly one `done` with the whole
 * envelope or one `error`. A stream that ends without either was cut short and must
 * never be reported as complete.
 */
export type StreamEvent =
  | { type: "delta"; content: string }
  | { type: "done"; generation: Generation }
  | { type: "error"; error: KeelErrorBody };
