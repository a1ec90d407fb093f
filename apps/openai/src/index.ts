export { startOpenaiService, type OpenaiServiceOptions } from "./service.ts";
export { KEEL_REQUEST_HEADERS } from "./http/keel-options.ts";
export type { KeelEnvelope } from "./http/keel-extras.ts";
export type { OpenaiErrorObject } from "./http/openai-error.ts";
