import type { ServiceStructuredRequestInput } from "@keel/core";

/**
 * `ai.structured`'s input: core's structured request without `validators`, which are
 * functions and cannot travel over HTTP (core's `serviceStructuredRequestSchema`).
 */
export type StructuredInput = ServiceStructuredRequestInput;
