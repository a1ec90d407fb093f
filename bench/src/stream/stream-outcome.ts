/** What one stream did, as its client saw it; times are `performance.now()` readings. */
export interface StreamOutcome {
  /** Ended with the transport's final success event (`done`, `[DONE]`). */
  ok: boolean;
  /** When the first event carrying content arrived (NaN when none did). */
  firstContentAt: number;
  /** When the stream ended, well or badly. */
  endedAt: number;
  /** Events carrying content. */
  contentEvents: number;
  /** Why it failed: a Keel code, `timeout`, a socket error's code, `no-final-event`. */
  failure?: string;
}

/** Opens one stream and resolves when it ends; never rejects. */
export type StreamCall = () => Promise<StreamOutcome>;

/** What a data line of a stream says, for the client's bookkeeping only. */
export type EventKind = "content" | "done" | "error" | "other";
