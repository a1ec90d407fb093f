import type { KeelOpenAIOptions } from "./keel-openai.ts";

// setTimeout's largest delay (about 24.8 days): the SDK's own timeout, effectively off.
// Keel's deadlines end calls through ctx.signal; Infinity would overflow to 1 ms.
export const NO_SDK_TIMEOUT = 2_147_483_647;

export interface SdkClientSettings {
  apiKey: string;
  baseURL: string;
  fetch: typeof fetch;
  organization?: string | null;
  defaultHeaders?: Record<string, string>;
}

/**
 * The SDK client options a provider runs with, in one place so the provider, the wire-equality
 * test and the SDK benchmark build the same client. Every option is given explicitly, so the SDK
 * reads none of the OPENAI_* environment variables; its retries and timeout are off because
 * Keel's resilience policies and deadlines own both.
 */
export function sdkClientOptions(settings: SdkClientSettings): KeelOpenAIOptions {
  return {
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    organization: settings.organization ?? null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    defaultHeaders: settings.defaultHeaders,
    maxRetries: 0,
    timeout: NO_SDK_TIMEOUT,
    // The SDK logs unparseable chunks (answer text) to the console; telemetry owns logging.
    logLevel: "off",
    fetch: settings.fetch,
  };
}
