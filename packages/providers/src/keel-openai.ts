import OpenAI from "openai";
import { CALL_SIGNAL } from "./call-signal.ts";

export type KeelOpenAIOptions = NonNullable<ConstructorParameters<typeof OpenAI>[0]>;

/**
 * The openai SDK's client with three per-call costs taken out, nothing sent differently:
 *
 * - The authentication headers are built once. The SDK builds them for every call (three
 *   header sets, two `Headers`) from the client's fixed API key; `authHeaders` is the SDK's
 *   protected hook for them, and with a string key (never a key function or workload
 *   identity, which the provider does not use) its answer never changes for a given scheme.
 * - An organization or project given as `null` becomes `undefined` after construction. Both
 *   are passed explicitly so the SDK reads no environment variable; as `null` the SDK
 *   deletes and records each header on every call, as `undefined` it skips them, and no
 *   `OpenAI-Organization`/`OpenAI-Project` header is sent either way.
 * - With its timeout off, the SDK's timer and request-init copy per call are skipped, and
 *   the SDK's own AbortSignal is not made when Keel's fetch has the call's (fetchWithAuth).
 *
 * What each saves: bench/README.md ("SDK options, measured"), `packages/providers/bench/sdk-call-ab.ts`.
 */
export function createKeelOpenAI(options: KeelOpenAIOptions): OpenAI {
  const client = new KeelOpenAI(options);
  // The SDK types these `string | null`; undefined is what it skips when building headers.
  if (client.organization === null) client.organization = undefined as unknown as null;
  if (client.project === null) client.project = undefined as unknown as null;
  return client;
}

// setTimeout's largest delay: a timeout this long is no timeout (the provider turns the SDK's off).
const NO_TIMEOUT_MS = 2_147_483_647;

class KeelOpenAI extends OpenAI {
  static {
    // The SDK's User-Agent is `${constructor.name}/JS <version>`: the same as its own client's.
    Object.defineProperty(KeelOpenAI, "name", { value: OpenAI.name });
  }

  readonly #authHeaders = new Map<string, ReturnType<OpenAI["authHeaders"]>>();
  readonly #fetch: typeof fetch | undefined;

  constructor(options: KeelOpenAIOptions) {
    super(options);
    this.#fetch = options.workloadIdentity === undefined ? options.fetch : undefined;
  }

  /**
   * With the timeout off and no caller signal (Keel's fetch takes the call's signal in
   * `fetchOptions`), the SDK's fetchWithTimeout only arms a timer that never fires, links
   * nothing, and copies the request init: the init goes to fetch as that copy would be. When
   * the call's own signal rides in the init (call-signal.ts), Keel's fetch never reads the
   * SDK's, so it is not made: an AbortSignal costs several µs on Node 20.
   */
  protected override async fetchWithAuth(
    ...parameters: Parameters<OpenAI["fetchWithAuth"]>
  ): ReturnType<OpenAI["fetchWithAuth"]> {
    const [url, init, timeout, controller] = parameters;
    const plain = init.body == null || typeof init.body === "string";
    // A streamed or multipart body (uploads) keeps the SDK's path, which also sets fetch's `duplex` for it.
    if (this.#fetch === undefined || timeout < NO_TIMEOUT_MS || init.signal != null || !plain)
      return super.fetchWithAuth(...parameters);
    if (!(CALL_SIGNAL in init)) init.signal = controller.signal;
    init.method = init.method === undefined ? "GET" : init.method.toUpperCase();
    // Awaited here, as the SDK's own path does, so a fetch that throws at once still rejects.
    return await this.#fetch.call(undefined, url, init);
  }

  protected override authHeaders(...parameters: Parameters<OpenAI["authHeaders"]>): ReturnType<OpenAI["authHeaders"]> {
    // A key function re-reads the key per call (prepareOptions): nothing to keep then.
    if (typeof this._options.apiKey === "function") return super.authHeaders(...parameters);
    const [, schemes] = parameters;
    const key =
      schemes === undefined ? "default" : `${schemes.bearerAuth === true}:${schemes.adminAPIKeyAuth === true}`;
    let headers = this.#authHeaders.get(key);
    if (headers === undefined) {
      headers = super.authHeaders(...parameters);
      this.#authHeaders.set(key, headers);
      // A failed build is not kept: the next call builds again and fails the same way.
      headers.catch(() => this.#authHeaders.delete(key));
    }
    return headers;
  }
}
