import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.e2e.test.ts", "src/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // One browser at a time on a 2-core machine; the files share nothing but the build.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A page on a busy 2-core machine may take a few seconds to show what the service answered.
    expect: { poll: { timeout: 10_000, interval: 100 } },
  },
});
