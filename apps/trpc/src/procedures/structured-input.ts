import { structuredRequestSchema } from "@keel/core";
import type { z } from "zod";

/**
 * `ai.structured`'s input: core's structured request without `validators`, which are
 * functions and cannot travel over HTTP. Still strict, so a caller that sends
 * `validators` gets BAD_REQUEST naming it rather than having it silently ignored.
 */
export const structuredInputSchema = structuredRequestSchema.omit({ validators: true });

export type StructuredInput = z.input<typeof structuredInputSchema>;
