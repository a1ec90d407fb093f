import { defineConfig } from "vitest/config";

export default defineConfig({
  // Each test starts a simulator, a pipeline and the service; on a shared two-core machine that outlasts vitest's 5 s.
  test: { testTimeout: 30_000, hookTimeout: 30_000 },
});
