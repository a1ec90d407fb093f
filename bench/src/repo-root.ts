import { fileURLToPath } from "node:url";

/** The repository root: where the benchmarks start the services and write `bench/results/`. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
