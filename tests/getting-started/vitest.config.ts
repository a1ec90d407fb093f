import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each test starts real processes (pnpm, tsx, the services): slow on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Files run one at a time: they spawn whole Keel processes that compete for the cores.
    fileParallelism: false,
  },
});
