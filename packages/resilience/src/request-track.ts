import type { KeelError, RequestContext } from "@keel/spec";

/**
 * What a fallback chain and the targets it calls tell each other about one launch,
 * carried on the ctx under a symbol (so it survives `{ ...ctx }` copies by anything in
 * between, and stays invisible to everyone else).
 */
export interface RequestTrack {
  /** Upstream calls the target made for this launch. */
  calls: number;
  /** Set by a resilience target when it reads the track, so the chain trusts `calls`. */
  claimed: boolean;
  /** The chain's say on retries at this target (rule "next": move on instead). */
  mayRetry: ((error: KeelError) => boolean) | undefined;
}

const TRACK = Symbol.for("keel.resilience.track");

type TrackedContext = RequestContext & { [TRACK]?: RequestTrack };

export function withTrack(ctx: RequestContext, track: RequestTrack): RequestContext {
  return { ...ctx, [TRACK]: track } as TrackedContext;
}

/** The chain's track for this call, claimed; or undefined when the target runs on its own. */
export function claimTrack(ctx: RequestContext): RequestTrack | undefined {
  const track = (ctx as TrackedContext)[TRACK];
  if (track) track.claimed = true;
  return track;
}
