import type { z } from "zod";
import { batchRequestSchema } from "../batch/batch-schema.ts";
import { enqueueJobSchema, jobIdSchema, listJobsSchema } from "../jobs/enqueue-schema.ts";
import type { ChatRequestInput, EmbeddingRequestInput } from "./chat-request-schema.ts";
import { parseChatRequest, parseEmbeddingRequest, parseWith } from "./parse-request.ts";
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

/** One of core's zod schemas, failing with core's own BAD_REQUEST. */
function schemaInput<Schema extends z.ZodType>(schema: Schema): CallerInputSchema<z.input<Schema>, z.output<Schema>> {
  return callerInput((value) => parseWith(schema, value) as z.output<Schema>);
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
  /** The batch's shape; each item is checked when it runs, so a bad item is that item's error. */
  batch: schemaInput(batchRequestSchema),
  /** A job's options and request; the pipeline also checks the request as the live call's before queueing. */
  enqueueJob: schemaInput(enqueueJobSchema),
  jobId: schemaInput(jobIdSchema),
  listJobs: schemaInput(listJobsSchema),
};

/**
 * A typed input that the operation itself checks, once: key administration, usage reports
 * and classify parse their input with core's schemas for every service and the CLI, so the
 * service's input step only names the type for tRPC's client (`.input(checkedByOperation<CreateKeyInput>())`).
 */
export function checkedByOperation<Input>(): CallerInputSchema<Input, Input> {
  return callerInput<Input, Input>((value) => value as Input);
}
