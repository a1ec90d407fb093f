import type { ConsumeOptions, Consumer, DeliveryOutcome, Dispatcher } from "./dispatcher.ts";

interface Pending {
  id: string;
  priority: number;
  order: number;
}

interface ConsumerState {
  options: ConsumeOptions;
  inFlight: Set<Promise<void>>;
  closing: boolean;
}

/** Delay before an id whose handler threw unexpectedly is delivered again. */
const HANDLER_ERROR_RETRY_MS = 1_000;

/**
 * The in-process dispatcher: a priority list in memory, timers for delays. Nothing survives
 * the process; nothing is redelivered if a handler never returns.
 */
export function createMemoryDispatcher(): Dispatcher {
  const ready: Pending[] = [];
  const known = new Set<string>();
  const delayed = new Map<string, NodeJS.Timeout>();
  const consumers = new Set<ConsumerState>();
  let order = 0;
  let closed = false;

  const insert = (entry: Pending) => {
    // Lower priority first, then FIFO: binary search for the first entry that sorts after.
    let low = 0;
    let high = ready.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = ready[middle]!;
      if (other.priority < entry.priority || (other.priority === entry.priority && other.order < entry.order)) {
        low = middle + 1;
      } else high = middle;
    }
    ready.splice(low, 0, entry);
  };
  const enqueue = (id: string, priority: number, delayMs: number) => {
    if (delayMs <= 0) {
      order += 1;
      insert({ id, priority, order });
      queueMicrotask(pump);
      return;
    }
    const timer = setTimeout(() => {
      delayed.delete(id);
      enqueue(id, priority, 0);
    }, delayMs);
    timer.unref();
    delayed.set(id, timer);
  };
  const settle = (id: string, priority: number, outcome: DeliveryOutcome) => {
    if (closed || outcome.kind === "done") {
      known.delete(id);
      return;
    }
    enqueue(id, priority, outcome.kind === "retry" ? outcome.delayMs : 0);
  };
  const runOne = (consumer: ConsumerState, entry: Pending) => {
    const running = (async () => {
      let outcome: DeliveryOutcome;
      try {
        outcome = await consumer.options.handle(entry.id);
      } catch (error) {
        consumer.options.onError?.(error instanceof Error ? error : new Error(String(error)));
        outcome = { kind: "retry", delayMs: HANDLER_ERROR_RETRY_MS };
      }
      settle(entry.id, entry.priority, outcome);
    })();
    consumer.inFlight.add(running);
    void running.finally(() => {
      consumer.inFlight.delete(running);
      pump();
    });
  };
  function pump() {
    let progressed = true;
    while (progressed && ready.length > 0) {
      progressed = false;
      for (const consumer of consumers) {
        if (consumer.closing || consumer.inFlight.size >= consumer.options.concurrency) continue;
        const entry = ready.shift();
        if (!entry) return;
        runOne(consumer, entry);
        progressed = true;
      }
    }
  }

  return {
    async add(id, { priority, delayMs = 0 }) {
      if (closed || known.has(id)) return;
      known.add(id);
      enqueue(id, priority, delayMs);
    },
    async remove(id) {
      const index = ready.findIndex((entry) => entry.id === id);
      if (index >= 0) {
        ready.splice(index, 1);
        known.delete(id);
      }
      const timer = delayed.get(id);
      if (timer) {
        clearTimeout(timer);
        delayed.delete(id);
        known.delete(id);
      }
    },
    consume(options): Consumer {
      const consumer: ConsumerState = { options, inFlight: new Set(), closing: false };
      consumers.add(consumer);
      queueMicrotask(pump);
      return {
        async close() {
          consumer.closing = true;
          while (consumer.inFlight.size > 0) await Promise.allSettled([...consumer.inFlight]);
          consumers.delete(consumer);
        },
      };
    },
    async close() {
      closed = true;
      for (const timer of delayed.values()) clearTimeout(timer);
      delayed.clear();
      ready.length = 0;
      known.clear();
    },
  };
}
