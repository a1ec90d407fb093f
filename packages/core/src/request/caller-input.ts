import type { ChatRequestInput, EmbeddingRequestInput } from "./chat-request-schema.ts";
import { parseChatRequest, parseEmbeddingRequest } from "./parse-request.ts";
import type { ParsedChatRequest, ParsedEmbeddingRequest, ParsedStructuredRequest } from "./parsed-request.ts";
import { parseStructuredRequest, type ServiceStructuredRequestInput } from "./structured-request.ts";

/**
 * A schema in the Standard Schema shape (https://standardschema.dev), the interface
 * tRPC's `.input()` accepts. Declared here rather than imported: the spec asks libraries
 * to copy it, and zod does not export its copy from the package root.
 */
export interface CallerInputSchema<Input, Output> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => { readonly value: Output; readonly issues?: undefined };
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

function callerInput<Input, Output>(parse: (value: unknown) => Output): CallerInputSchema<Input, Output> {
  return { "~standard": { version: 1, vendor: "keel", validate: (value) => ({ value: parse(value) }) } };
}

/**
 * Core's requests as a service's input validation (tRPC's `.input(callerInputs.chat)`).
 * The request is validated here, once: what the procedure gets is a parsed request the
 * pipeline takes as it is. A failure throws core's own BAD_REQUEST, which names an unknown
 * field and suggests the known one it resembles (`temprature` -> did you mean
 * "temperature"?), exactly as the GraphQL service and in-process callers get it.
 */
export const callerInputs = {
  chat: callerInput<ChatRequestInput, ParsedChatRequest>(parseChatRequest),
  /** Without `validators`: functions cannot travel over HTTP. */
  structured: callerInput<ServiceStructuredRequestInput, ParsedStructuredRequest>((value) =>
    parseStructuredRequest(value, { from: "service" }),
  ),
  embedding: callerInput<EmbeddingRequestInput, ParsedEmbeddingRequest>(parseEmbeddingRequest),
};

/**
 * A typed input that the operation itself checks, once: key administration, usage reports
 * and classify parse their input with core's schemas for every service and the CLI, so the
 * service's input step only names the type for tRPC's client (`.input(checkedByOperation<CreateKeyInput>())`).
 */
export function checkedByOperation<Input>(): CallerInputSchema<Input, Input> {
  return callerInput<Input, Input>((value) => value as Input);
}
