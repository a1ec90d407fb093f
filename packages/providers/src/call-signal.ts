import { linkSignal, type LinkedSignal } from "@keel/spec";
import type OpenAI from "openai";

/** The SDK's per-call request options (what `create(body, options)` takes). */
type SdkCallOptions = Exclude<Parameters<OpenAI["post"]>[1], Promise<unknown> | undefined>;
type SdkFetchOptions = NonNullable<SdkCallOptions["fetchOptions"]>;

/**
 * The key under which a call's own signal rides to Keel's node:http fetch inside the SDK's
 * `fetchOptions` (the SDK copies unknown keys, symbols too, onto the init it hands fetch).
 */
export const CALL_SIGNAL: unique symbol = Symbol("keel.call-signal");

/** What a fetch init may carry besides fetch's own fields. */
export interface CallSignalInit {
  [CALL_SIGNAL]?: AbortSignal;
}

/** What a non-streamed SDK call is given to be cancelled, and how to let go of it afterwards. */
export interface CallCancellation {
  /** The SDK's per-call request options. */
  options: SdkCallOptions;
  dispose(): void;
}

const NOTHING_TO_DISPOSE = () => {};

/**
 * How an SDK call follows `signal`. Handed a signal, the SDK adds an abort listener to it
 * and never removes it, so every call of a request (retries, fallbacks, re-asks) needs a
 * child signal of its own (an AbortController, a listener on the parent, several µs of
 * CPU on Node 20). On Keel's own fetch the child is not needed: the signal goes straight
 * to the fetch, which unhooks its listener when the exchange ends, and the SDK, given no
 * signal, adds none (its own per-call AbortController then only carries its timeout,
 * which the provider turns off).
 */
export function callCancellation(signal: AbortSignal, ownFetch: boolean): CallCancellation {
  if (ownFetch) {
    // The SDK's type lists fetch's own fields only; it passes any other key through as it is.
    const fetchOptions: CallSignalInit = { [CALL_SIGNAL]: signal };
    return { options: { fetchOptions: fetchOptions as SdkFetchOptions }, dispose: NOTHING_TO_DISPOSE };
  }
  const call: LinkedSignal = linkSignal(signal);
  return { options: { signal: call.signal }, dispose: () => call.dispose() };
}
