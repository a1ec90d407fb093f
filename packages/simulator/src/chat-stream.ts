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
 * delays everything is written in one corked burst.
 */
export function streamAnswer(exchange: Exchange, plan: StreamPlan): void {
  const fault = plan.fault;
  const gap = fault?.type === "trickle" ? fault.chunkDelayMs : plan.latency.perTokenMs;
  const pieces = plan.answer.pieces;
  let contentLimit = pieces.length;
  if (fault?.type === "stream-stall" || fault?.type === "stream-die") contentLimit = Math.min(fault.afterChunks, pieces.length);
  if (fault?.type === "malformed") contentLimit = Math.min(1, pieces.length);
  const frames = new ChunkFrames(plan);
  const response = exchange.response;

  const writeContentFrom = (index: number): void => {
    if (gap <= 0) {
      for (let next = index; next < contentLimit; next++) response.write(frames.content(pieces[next]!));
      finish();
      return;
    }
    if (index >= contentLimit) {
      finish();
      return;
    }
    exchange.after(gap, () => {
      response.write(frames.content(pieces[index]!));
      writeContentFrom(index + 1);
    });
  };

  const finish = (): void => {
    switch (fault?.type) {
      case "stream-stall":
        return;
      case "stream-die":
        // An SSE comment, so the socket dies only once every chunk before it went out.
        response.write(":\n\n", () => exchange.destroySocket());
        return;
      case "malformed":
        response.end(frames.broken());
        return;
      default:
        response.write(frames.finish(plan.finishReason));
        if (plan.includeUsage) response.write(frames.usage(plan.promptTokens, plan.answer.tokens));
        response.end(ChunkFrames.done);
    }
  };

  const firstDelay = plan.latency.ttftMs + (fault?.type === "trickle" ? fault.chunkDelayMs : 0);
  exchange.after(firstDelay, () => {
    response.cork();
    response.writeHead(200, SSE_HEADERS);
    response.write(frames.role());
    writeContentFrom(0);
    response.uncork();
  });
}
