import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Real worker processes on a real Redis: starting one takes seconds on a busy machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
