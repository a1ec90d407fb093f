export {
  typedStructured,
  type StructuredClient,
  type TypedGeneration,
  type TypedStructuredInput,
} from "./structured.ts";
export type { StructuredInput } from "../procedures/structured-input.ts";
