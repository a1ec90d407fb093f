import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@keel/trpc";

export type KeelClient = ReturnType<typeof createKeelClient>;

/** The typed tRPC client on this page's own origin; the API key, if any, travels as a Bearer token. */
export function createKeelClient(apiKey: string | undefined) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL("/trpc", window.location.origin).href,
        headers: (): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      }),
    ],
  });
}

/** Keel's error code of a failed call (tRPC `data.keelCode`), when the server sent one. */
export function keelCodeOf(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== "object" || data === null) return undefined;
  const code = (data as { keelCode?: unknown }).keelCode;
  return typeof code === "string" ? code : undefined;
}

export function messageOf(error: unknown): string {
  const code = keelCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? message : `${code}: ${message}`;
}
