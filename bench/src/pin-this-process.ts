import { spawnSync } from "node:child_process";

/**
 * Pins every thread of this process to one CPU (`taskset -a -cp`); threads started later
 * inherit it. Returns whether it worked. The load generator then shares its CPU with the
 * mock upstream only, never with the gateway it measures.
 */
export function pinThisProcess(cpu: number): boolean {
  return spawnSync("taskset", ["-a", "-cp", String(cpu), String(process.pid)], { stdio: "ignore" }).status === 0;
}
