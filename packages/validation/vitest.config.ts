import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The memory regression test forces collections to measure the heap.
    execArgv: ["--expose-gc"],
  },
});
