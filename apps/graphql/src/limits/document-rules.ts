import type { GraphqlTransportSettings } from "@keel/core";
import { NoSchemaIntrospectionCustomRule, type ValidationRule } from "graphql";
import { documentLimitsRule } from "./document-limits.ts";

export interface DocumentRules {
  /** The parser stops past this many tokens: a huge document costs nothing more than reading it. */
  maxTokens: number;
  /** Run after graphql's specified rules, over HTTP and WebSocket alike. */
  validationRules: ValidationRule[];
}

/** What `services.graphql` asks of every document, for both transports. */
export function documentRules(settings: GraphqlTransportSettings): DocumentRules {
  return {
    maxTokens: settings.maxTokens,
    validationRules: [
      documentLimitsRule(settings),
      ...(settings.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
  };
}
