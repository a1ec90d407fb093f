import { didYouMean } from "@keel/core";
import { inputFieldNames } from "../schema.ts";

// graphql-js: `Field "temprature" is not defined by type "GenerateInput".`
const NOT_DEFINED = /Field "(?:\w+\.)?(\w+)" is not defined by type "(\w+)"/;

/**
 * For an input field the type does not have, core's "did you mean" hint over the type's
 * fields: the same words and the same rule tRPC's BAD_REQUEST uses for the same mistake.
 */
export function unknownFieldHint(message: string): string | undefined {
  const match = NOT_DEFINED.exec(message);
  if (!match?.[1] || !match[2]) return undefined;
  return didYouMean(match[1], inputFieldNames(match[2]));
}
