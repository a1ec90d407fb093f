import type { ServerResponse } from "node:http";
import { corkUntilTickEnd, writeSseFrame } from "./sse-frame-write.ts";

/** How a relay ended: the events ran out, the caller went away first, or the iterator threw. */
export type SseRelayEnd = { kind: "ended" } | { kind: "gone" } | { kind: "thrown"; error: unknown };

export interface SseRelayOptions<Event> {
  events: AsyncIterator<Event>;
  response: ServerResponse;
  /** The transport's framing of one event: all it writes for it, `data:` lines and blank lines included. */
  frame: (event: Event) => string;
  /** Called after each event went out (the shared keep-alive's "not silent"). */
  touch?: () => void;
  /**
   * True for the event after which the transport ends the answer (a stream's `done` or
   * `error`): its frame is held until the end of the tick, so it leaves with the end's bytes
   * in one socket write instead of two.
   */
  last?: (event: Event) => boolean;
}

const ENDED: SseRelayEnd = { kind: "ended" };
const GONE: SseRelayEnd = { kind: "gone" };

/**
 * The per-event loop of every SSE transport (tRPC's `ai.stream`, the OpenAI-compatible
 * service): pull the next event, write its frame in one `write`, wait for `drain` when the
 * socket's buffer is full. The transports differ only in `frame` and in what they write
 * before and after. Each frame goes to the socket at once (`writeSseFrame`): deltas come in
 * ticks of their own, so holding them would only delay them; the `last` event's frame is
 * held to the end of its tick, so the answer's end leaves with it in one write. When the
 * caller went away, the events are closed (which aborts the upstream) and the relay ends
 * without writing.
 */
export async function relaySse<Event>(options: SseRelayOptions<Event>): Promise<SseRelayEnd> {
  const { events, response, frame, touch, last } = options;
  for (;;) {
    let result: IteratorResult<Event>;
    try {
      result = await events.next();
    } catch (error) {
      return { kind: "thrown", error };
    }
    if (response.destroyed) {
      await events.return?.();
      return GONE;
    }
    if (result.done) return ENDED;
    if (last?.(result.value) === true) corkUntilTickEnd(response);
    const written = writeSseFrame(response, frame(result.value));
    touch?.();
    if (!written && !response.destroyed) await drained(response);
  }
}

/**
 * A full socket buffer: resolves once it drains, or the caller is gone (close). A frame
 * written to the socket directly drains there; one written through the response, there.
 */
function drained(response: ServerResponse): Promise<void> {
  const socket = response.socket;
  return new Promise<void>((resolve) => {
    const resume = () => {
      response.off("drain", resume);
      response.off("close", resume);
      socket?.off("drain", resume);
      resolve();
    };
    response.on("drain", resume);
    response.on("close", resume);
    socket?.on("drain", resume);
  });
}
