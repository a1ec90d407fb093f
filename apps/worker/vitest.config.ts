import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Real worker processes on a real Redis: starting one takes seconds on a busy machine.
    // (seen: over 30 s per start at load average 20; a test starts up to two).
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
