import type { Generation, StreamEvent } from "@keel/spec";

/** Replays a stored answer with a live stream's shape: deltas in chunks, then one `done`. */
export function* replayStream(generation: Generation, chunkChars: number): Generator<StreamEvent> {
  const content = generation.content;
  for (let offset = 0; offset < content.length; offset += chunkChars) {
    yield { type: "delta", content: content.slice(offset, offset + chunkChars) };
  }
  yield { type: "done", generation };
}
