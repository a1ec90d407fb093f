import { useCallback, useEffect, useRef, useState } from "react";
import { messageOf } from "./client.ts";

export interface Polled<Value> {
  data: Value | undefined;
  error: string | undefined;
  /** When the last answer arrived. */
  updatedAt: number | undefined;
  refresh(): void;
}

/**
 * Calls `load` now and every `everyMs` (0: once), keeping the last answer while a new one
 * is on its way. A failure is shown beside the last good figures, never instead of them.
 */
export function usePoll<Value>(load: () => Promise<Value>, everyMs: number): Polled<Value> {
  const [state, setState] = useState<{ data?: Value; error?: string; updatedAt?: number }>({});
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((value) => value + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is the trigger of refresh(): a new tick loads again
  useEffect(() => {
    let live = true;
    const run = () => {
      loadRef.current().then(
        (data) => live && setState({ data, updatedAt: Date.now() }),
        (error: unknown) => live && setState((previous) => ({ ...previous, error: messageOf(error) })),
      );
    };
    run();
    const timer = everyMs > 0 ? setInterval(run, everyMs) : undefined;
    return () => {
      live = false;
      if (timer !== undefined) clearInterval(timer);
    };
  }, [everyMs, tick]);

  return { data: state.data, error: state.error, updatedAt: state.updatedAt, refresh };
}
