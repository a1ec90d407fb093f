import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { EventSource } from "eventsource";
import type { AppRouter, KeelTrpcErrorData } from "@keel/trpc";
import type { ErrorView, ServiceAdapter, StreamEventView, StreamOutcome } from "./service-adapter.ts";

type Client = ReturnType<typeof createTRPCClient<AppRouter>>;
type GenerateInput = Parameters<Client["ai"]["generate"]["mutate"]>[0];

/** The tRPC service through the real typed client: httpLink for mutations, SSE (EventSource) for subscriptions. */
export function createTrpcAdapter(url: string): ServiceAdapter {
  const client: Client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === "subscription",
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpLink({ url }),
      }),
    ],
  });

  return {
    kind: "trpc",
    async generate(input, options = {}) {
      const started = performance.now();
      try {
        const envelope = await client.ai.generate.mutate(
          input as GenerateInput,
          options.signal ? { signal: options.signal } : {},
        );
        return { kind: "envelope", envelope, elapsedMs: performance.now() - started };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        return { kind: "error", error: errorViewOf(error), elapsedMs: performance.now() - started };
      }
    },
    stream(input, options = {}) {
      const started = performance.now();
      return new Promise<StreamOutcome>((resolve) => {
        const events: StreamEventView[] = [];
        let settled = false;
        const finish = (outcome: Omit<StreamOutcome, "events" | "elapsedMs">) => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener("abort", onAbort);
          resolve({ events, elapsedMs: performance.now() - started, ...outcome });
        };
        const subscription = client.ai.stream.subscribe(input as GenerateInput, {
          onData(event) {
            const view = event as StreamEventView;
            events.push(view);
            options.onEvent?.(view);
          },
          onError(error) {
            subscription.unsubscribe();
            if (events.length === 0) finish({ ended: "complete", rejected: errorViewOf(error) });
            else finish({ ended: "transport" });
          },
          onComplete: () => finish({ ended: "complete" }),
        });
        // Unsubscribing closes the EventSource, i.e. the SSE response the server is writing.
        const onAbort = () => {
          finish({ ended: "aborted" });
          subscription.unsubscribe();
        };
        if (options.signal?.aborted) onAbort();
        else options.signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    async close() {},
  };
}

function errorViewOf(error: unknown): ErrorView {
  if (!(error instanceof TRPCClientError)) throw error;
  // TRPCClientError<AppRouter>["data"] infers as tRPC's DefaultErrorData, not the service's
  // formatter shape, so the Keel fields are read through the exported data type.
  const data = (error as TRPCClientError<AppRouter>).data as KeelTrpcErrorData | undefined;
  if (!data) throw new Error(`tRPC error without Keel data: ${error.message}`);
  return { code: data.keelCode, message: error.message, retryable: data.retryable, details: data.details };
}
