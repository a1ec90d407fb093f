import type { FallbackFailure, KeelError, RequestContext } from "@keel/spec";
import { cancellationError, withDetails } from "./failures.ts";

/** The error worth reporting: a "stop" failure, the caller's own end, else the last real upstream answer. */
export function finalError(options: {
  ctx: RequestContext;
  stopError: KeelError | undefined;
  errors: KeelError[];
  failed: FallbackFailure[];
  attempts: number;
}): KeelError {
  const { ctx, errors } = options;
  let chosen = options.stopError;
  if (!chosen && ctx.signal.aborted) chosen = cancellationError(ctx);
  if (!chosen) {
    // CIRCUIT_OPEN or a load-shed says less than what an upstream answered; report it only if all were.
    for (let index = errors.length - 1; index >= 0 && !chosen; index -= 1) {
      const error = errors[index]!;
      if (error.code !== "CIRCUIT_OPEN" && error.details.reason !== "load-shed") chosen = error;
    }
    chosen ??= errors[errors.length - 1] ?? cancellationError(ctx);
  }
  return withDetails(chosen, { fallback: options.failed, attempts: options.attempts });
}
