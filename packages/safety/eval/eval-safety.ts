/**
 * `pnpm eval:safety <task> <file>`: runs one evaluation task on a JSONL file, prints its table
 * and, as the last line, one JSON object with the figures (what scripts and CI read).
 */
import { resolve } from "node:path";
import type { EvalTask } from "./eval-task.ts";
import { piiTask } from "./tasks/pii.ts";

// One line per task.
const tasks: Readonly<Record<string, EvalTask>> = {
  pii: piiTask,
};

async function main(): Promise<void> {
  const [taskName, file] = process.argv.slice(2);
  const task = taskName ? tasks[taskName] : undefined;
  if (!task || !file) {
    const lines = Object.entries(tasks).map(([name, entry]) => `  ${name.padEnd(16)} ${entry.description}`);
    console.error(`usage: pnpm eval:safety <task> <file.jsonl>\ntasks:\n${lines.join("\n")}`);
    process.exitCode = 2;
    return;
  }
  // pnpm runs the package script inside the package; INIT_CWD is where the command was typed.
  const report = await task.run(resolve(process.env.INIT_CWD ?? process.cwd(), file));
  console.log(report.table);
  console.log(JSON.stringify(report.summary));
}

await main();
