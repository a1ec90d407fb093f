import type { ServerResponse } from "node:http";

export interface LiveStream {
  /** An event went out: the stream is not silent. */
  touch(): void;
  remove(): void;
}

/**
 * Keeps silent SSE streams alive through proxies with one shared timer instead of one per
 * stream (tRPC re-arms a timer per event): a stream that sent nothing for `intervalMs`
 * gets `frame`. Checked every quarter interval, so a ping comes 1 to 1.25 intervals after
 * the last event.
 */
export function createSsePinger(options: { intervalMs: number; frame: string }) {
  const lastWrite = new Map<ServerResponse, number>();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const silentSince = Date.now() - options.intervalMs;
    for (const [response, at] of lastWrite) {
      if (at > silentSince) continue;
      response.write(options.frame);
      lastWrite.set(response, Date.now());
    }
  };
  return {
    add(response: ServerResponse): LiveStream {
      lastWrite.set(response, Date.now());
      if (timer === undefined) {
        timer = setInterval(check, Math.max(1, Math.floor(options.intervalMs / 4)));
        timer.unref();
      }
      return {
        touch: () => {
          if (lastWrite.has(response)) lastWrite.set(response, Date.now());
        },
        remove: () => {
          lastWrite.delete(response);
          if (lastWrite.size === 0 && timer !== undefined) {
            clearInterval(timer);
            timer = undefined;
          }
        },
      };
    },
    close() {
      lastWrite.clear();
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
