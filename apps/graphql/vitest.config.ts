import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    alias: [
      // graphql 16 ships index.js (CommonJS, what Node itself loads for `import "graphql"`,
      // so what Apollo, graphql-tools and graphql-ws get) and index.mjs (what Vite would
      // pick for this package's sources). Two copies cannot share a schema, so tests load
      // the one Node loads in production.
      { find: /^graphql$/, replacement: require.resolve("graphql") },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
