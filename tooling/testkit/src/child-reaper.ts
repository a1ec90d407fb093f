import type { ChildProcess } from "node:child_process";

const children = new Set<ChildProcess>();
let installed = false;

/**
 * Kills `child` (SIGKILL) when this process exits, however the test ended: a failed
 * `beforeAll` or a worker that exits without running `afterAll` must not leave servers
 * running on the machine. Returns the function that forgets the child again.
 */
export function reapOnExit(child: ChildProcess): () => void {
  if (!installed) {
    installed = true;
    process.once("exit", () => {
      for (const running of children) if (running.exitCode === null) running.kill("SIGKILL");
    });
  }
  children.add(child);
  child.once("exit", () => children.delete(child));
  return () => children.delete(child);
}
