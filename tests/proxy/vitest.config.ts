import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql is a dependency of @keel/graphql, not of this package: resolve it from there.
const require = createRequire(createRequire(import.meta.url).resolve("@keel/graphql"));

export default defineConfig({
  resolve: {
    alias: [
      // One copy of graphql: the CommonJS build Node loads for Apollo, graphql-tools and
      // graphql-ws, not the .mjs Vite would pick for workspace sources (see apps/graphql).
      { find: /^graphql$/, replacement: require.resolve("graphql") },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Scenarios measure elapsed time; files run one at a time so they do not compete for two cores.
    fileParallelism: false,
  },
});
