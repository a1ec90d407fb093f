import { KeelError } from "@keel/spec";

/** The store could not be reached: retryable, never the caller's fault. */
export function keyStoreUnavailable(operation: string, error: unknown): KeelError {
  return new KeelError("UPSTREAM_UNAVAILABLE", "the API key store is unavailable", {
    retryable: true,
    cause: error,
    details: { reason: "key-store-unavailable", operation },
  });
}

export function unknownKey(): KeelError {
  return new KeelError("BAD_REQUEST", "no such API key", { details: { reason: "unknown-key", field: "id" } });
}

/** Runs a store operation; anything but a KeelError becomes UPSTREAM_UNAVAILABLE. */
export async function storeCall<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (KeelError.isInstance(error)) throw error;
    throw keyStoreUnavailable(operation, error);
  }
}
