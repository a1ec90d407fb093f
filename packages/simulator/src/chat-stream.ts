import type { Exchange } from "./exchange.ts";
import type { ResolvedLatency } from "./rule-book.ts";
import type { TokenizedText } from "./tokens.ts";
import type { SimulatorFault } from "./types.ts";
import { ChunkFrames, type FinishReason } from "./wire-format.ts";

export interface StreamPlan {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  answer: TokenizedText;
  finishReason: FinishReason;
  promptTokens: number;
  latency: ResolvedLatency;
  fault: SimulatorFault | undefined;
}

const SSE_HEADERS = ["content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache"];

/**
 * Streams an answer as OpenAI does: a role chunk, one chunk per piece, a finish chunk,
 * a usage chunk when asked for, then `[DONE]`. The first chunk waits ttft, every
 * content chunk waits perTokenMs (a trickle fault's chunkDelayMs instead). With no
 * delays the whole stream is one write.
 */
export function streamAnswer(exchange: Exchange, plan: StreamPlan): void {
  const fault = plan.fault;
  const gap = fault?.type === "trickle" ? fault.chunkDelayMs : plan.latency.perTokenMs;
  const pieces = plan.answer.pieces;
  let contentLimit = pieces.length;
  if (fault?.type === "stream-stall" || fault?.type === "stream-die")
    contentLimit = Math.min(fault.afterChunks, pieces.length);
  const frames = new ChunkFrames(plan);
  const response = exchange.response;

  // Frames due at the same moment go out as one write: one HTTP chunk instead of dozens.
  const writeContentFrom = (index: number, batch: string): void => {
    if (gap <= 0) {
      for (let next = index; next < contentLimit; next++) batch += frames.content(pieces[next]!);
      finish(batch);
      return;
    }
    if (index >= contentLimit) {
      finish(batch);
      return;
    }
    if (batch.length > 0) response.write(batch);
    exchange.after(gap, () => writeContentFrom(index + 1, frames.content(pieces[index]!)));
  };

  const finish = (batch: string): void => {
    switch (fault?.type) {
      case "stream-stall":
        if (batch.length > 0) response.write(batch);
        return;
      case "stream-die":
        // The socket dies only once every chunk before it went out.
        response.write(batch + ":\n\n", () => exchange.destroySocket());
        return;
      default: {
        const usage = plan.includeUsage ? frames.usage(plan.promptTokens, plan.answer.tokens) : "";
        response.end(batch + frames.finish(plan.finishReason) + usage + ChunkFrames.done);
      }
    }
  };

  const firstDelay = plan.latency.ttftMs + (fault?.type === "trickle" ? fault.chunkDelayMs : 0);
  exchange.after(firstDelay, () => {
    response.writeHead(200, SSE_HEADERS);
    writeContentFrom(0, frames.role());
  });
}
