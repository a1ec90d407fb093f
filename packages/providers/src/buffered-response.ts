/**
 * A web Response over a body already read whole, for Keel's node:http fetch. A plain
 * `new Response(bytes)` wraps the bytes in a web ReadableStream that `json()` then reads
 * back chunk by chunk: about 20-30 µs of CPU per call here, against ~5 µs for the same
 * headers and a JSON.parse (bench/README.md). The body methods the SDK and Keel call read
 * the bytes directly; `body` (a stream) is made only if someone asks for it. Still a
 * Response (`instanceof`, status, headers, `ok`), so anything else behaves as fetch's own.
 */
export class BufferedResponse extends Response {
  #bytes: Uint8Array<ArrayBuffer>;
  #init: ResponseInit;
  #used = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined;

  constructor(bytes: Uint8Array<ArrayBuffer>, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
    this.#init = init;
  }

  static {
    // On the prototype rather than as class members: the DOM typings declare Response's
    // methods and body as properties, which a subclass may not redeclare as methods or accessors.
    const take = (response: BufferedResponse): Promise<Uint8Array<ArrayBuffer>> => {
      if (response.#used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
      response.#used = true;
      return Promise.resolve(response.#bytes);
    };
    const text = (response: BufferedResponse): Promise<string> =>
      take(response).then((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
    Object.defineProperties(BufferedResponse.prototype, {
      body: {
        get(this: BufferedResponse) {
          // Read through the stream, the bytes are spent as on any Response.
          this.#stream ??= this.#used ? null : new Response(this.#bytes).body;
          this.#used = true;
          return this.#stream;
        },
      },
      bodyUsed: {
        get(this: BufferedResponse) {
          return this.#used;
        },
      },
      text: {
        value(this: BufferedResponse) {
          return text(this);
        },
      },
      json: {
        value(this: BufferedResponse) {
          return text(this).then(JSON.parse);
        },
      },
      arrayBuffer: {
        value(this: BufferedResponse) {
          return take(this).then((bytes) => bytes.slice().buffer);
        },
      },
      bytes: {
        value(this: BufferedResponse) {
          return take(this).then((bytes) => bytes.slice());
        },
      },
      blob: {
        value(this: BufferedResponse) {
          return take(this).then((bytes) => new Blob([bytes], { type: this.headers.get("content-type") ?? "" }));
        },
      },
      clone: {
        value(this: BufferedResponse) {
          if (this.#used) throw new TypeError("Response.clone: Body has already been consumed.");
          return new BufferedResponse(this.#bytes, { ...this.#init, headers: new Headers(this.headers) });
        },
      },
    });
  }
}
