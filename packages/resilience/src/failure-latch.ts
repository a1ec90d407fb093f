import type { KeelError } from "@keel/spec";
import { noop } from "./signals.ts";

/**
 * The first failure of an attempt, and the wait it ends: `race` rejects with it the
 * moment it is recorded, even if the awaited promise (a model that ignores its signal)
 * never settles.
 */
export class FailureLatch {
  failure: KeelError | undefined;
  private rejectPending: ((error: KeelError) => void) | undefined;

  /** Records the first failure and rejects the pending race; false when there already was one. */
  fail(error: KeelError): boolean {
    if (this.failure) return false;
    this.failure = error;
    this.rejectPending?.(error);
    return true;
  }

  /** Resolves as `promise` does, or rejects with the failure the moment there is one. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.failure) {
      promise.catch(noop);
      return Promise.reject(this.failure);
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectPending = reject;
      promise.then(
        (value) => {
          this.rejectPending = undefined;
          resolve(value);
        },
        (error: unknown) => {
          this.rejectPending = undefined;
          reject(this.failure ?? error);
        },
      );
    });
  }
}
