/**
 * `pnpm eval:safety <task> <file.jsonl>`: runs one task of the registry on a JSONL file,
 * prints its table and, as the last line, one JSON object with the figures (what scripts and
 * CI read).
 */
import { resolve } from "node:path";
import type { EvalTask } from "./eval-task.ts";

// One line per task; loaded on demand so one task's weights never load for another.
const TASKS: Record<string, () => Promise<EvalTask>> = {
  pii: async () => (await import("./tasks/pii.ts")).piiTask,
  injection: async () => (await import("./tasks/injection.ts")).task,
  "injection-docs": async () => (await import("./tasks/injection-docs.ts")).task,
  toxicity: async () => (await import("./tasks/toxicity.ts")).task,
  claims: async () => (await import("./tasks/claims.ts")).task,
};

const [name, file] = process.argv.slice(2);
const load = name === undefined ? undefined : TASKS[name];
if (load === undefined || file === undefined) {
  console.error(`usage: pnpm eval:safety <task> <file.jsonl>\ntasks: ${Object.keys(TASKS).join(", ")}`);
  process.exit(2);
}
const task = await load();
// pnpm runs the script in the package folder; INIT_CWD is where the caller typed the command.
const report = await task.run(resolve(process.env.INIT_CWD ?? process.cwd(), file));
console.log(report.table);
console.log(JSON.stringify({ task: name, ...report.summary }));
