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
 * - On Keel's fetch, a call's header set is built by the SDK once per distinct input (retry
 *   count, timeout, body headers) and handed out as a copied record (headersFor).
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

/** What the SDK's `buildHeaders` is given (private in its types; openai 6.x). */
interface HeaderInputs {
  options: { headers?: unknown; timeout?: number; idempotencyKey?: string; __security?: unknown };
  method: string;
  bodyHeaders: unknown;
  retryCount: number;
}

type BuildHeaders = (this: OpenAI, inputs: HeaderInputs) => Promise<Headers>;

const sdkBuildHeaders = (OpenAI.prototype as unknown as { buildHeaders: BuildHeaders }).buildHeaders;

// The header sets a client keeps: one per retry count and timeout in practice.
const MAX_HEADER_SETS = 32;

class KeelOpenAI extends OpenAI {
  static {
    // The SDK's User-Agent is `${constructor.name}/JS <version>`: the same as its own client's.
    Object.defineProperty(KeelOpenAI, "name", { value: OpenAI.name });
    // `buildHeaders` is private in the SDK's types, so it is replaced here rather than overridden.
    Object.defineProperty(KeelOpenAI.prototype, "buildHeaders", {
      value: KeelOpenAI.prototype.headersFor,
      writable: true,
      configurable: true,
    });
  }

  readonly #authHeaders = new Map<string, ReturnType<OpenAI["authHeaders"]>>();
  readonly #headerSets = new Map<string, Promise<Readonly<Record<string, string>>>>();
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

  /**
   * The SDK builds every call's headers from scratch: seven header sources merged through
   * generators into a `Headers` (about 15 KB allocated per call), which its debug log line
   * (built even with logging off) and Keel's fetch then each iterate again (about 12 KB
   * more). From a string key they depend only on the retry count, the timeout and the body's
   * headers, so the SDK's own build runs once per such input and each call gets a copy of
   * its entries as a record, in the `Headers`' order: the same headers on the wire. What
   * varies otherwise (per-call headers, an idempotency key, a provider runtime, a key
   * function, another fetch) keeps the SDK's path.
   */
  private headersFor(inputs: HeaderInputs): Promise<Headers | Record<string, string>> {
    const { options, method, bodyHeaders, retryCount } = inputs;
    const security = options.__security;
    const fixed =
      this.#fetch !== undefined &&
      (this as unknown as { _provider?: unknown })._provider === undefined &&
      typeof this._options.apiKey === "string" &&
      options.headers === undefined &&
      !(this.idempotencyHeader && method !== "get") &&
      (security === undefined || isBearerOnly(security));
    const body = fixed ? bodyHeadersKey(bodyHeaders) : undefined;
    if (body === undefined) return sdkBuildHeaders.call(this, inputs);
    const key = `${retryCount}|${options.timeout}|${body}|${this.organization}|${this.project}`;
    let headers = this.#headerSets.get(key);
    if (headers === undefined) {
      if (this.#headerSets.size >= MAX_HEADER_SETS) this.#headerSets.clear();
      headers = sdkBuildHeaders.call(this, inputs).then((built) => Object.freeze(Object.fromEntries(built)));
      this.#headerSets.set(key, headers);
      // A failed build (the SDK's header validation) is not kept: the next call fails the same way.
      headers.catch(() => this.#headerSets.delete(key));
    }
    // A copy per call: nothing a call does to its headers reaches another call.
    return headers.then((kept) => ({ ...kept }));
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

/** `{ bearerAuth: true }`, the security every chat and embeddings call has. */
function isBearerOnly(security: unknown): boolean {
  if (typeof security !== "object" || security === null) return false;
  const keys = Object.keys(security);
  return keys.length === 1 && (security as { bearerAuth?: unknown }).bearerAuth === true;
}

/** A key for the body's headers when they are none or a record of strings (JSON bodies); else undefined. */
function bodyHeadersKey(bodyHeaders: unknown): string | undefined {
  if (bodyHeaders === undefined) return "";
  if (
    typeof bodyHeaders !== "object" ||
    bodyHeaders === null ||
    Object.getPrototypeOf(bodyHeaders) !== Object.prototype
  )
    return undefined;
  let key = "";
  for (const [name, value] of Object.entries(bodyHeaders)) {
    if (typeof value !== "string") return undefined;
    key += `${name}\u0000${value}\u0000`;
  }
  return key;
}
