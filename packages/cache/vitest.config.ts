import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  test: {
    // One redis-server and one local Redis Cluster for the run: the store suites run on both.
    globalSetup: [require.resolve("@keel/testkit/redis-targets-setup")],
  },
});
