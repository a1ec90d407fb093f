/**
 * Reads a V8 `.cpuprofile` (from `BENCH_CPU_PROF=1 pnpm bench:stream`) and prints where
 * the time went: self time by function and by file/package, and inclusive time of the
 * functions given with `--focus`.
 *
 *   node --import tsx bench/src/stream/summarise-profile.ts <file.cpuprofile> [--top 40] [--focus name,name]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "40" },
    focus: { type: "string", default: "" },
    /** Skip the first milliseconds of the profile (the service's start: module loading, compilation). */
    "from-ms": { type: "string", default: "0" },
  },
});
const profile = JSON.parse(readFileSync(positionals[0] as string, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

// Self time per node: the sample's delta is charged to the node it landed in.
const selfUs = new Map<number, number>();
const fromUs = Number(values["from-ms"]) * 1000;
let elapsedUs = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  elapsedUs += delta;
  if (elapsedUs >= fromUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
});
const idleNames = new Set(["(idle)", "(program)"]);
// Shares are of the busy time: idle and (program) are left out of the total.
const totalUs = [...selfUs.entries()]
  .filter(([id]) => !idleNames.has(byId.get(id)?.callFrame.functionName ?? ""))
  .reduce((sum, [, value]) => sum + value, 0);
const idleUs = [...selfUs.entries()]
  .filter(([id]) => ["(idle)", "(program)", "(garbage collector)"].includes(byId.get(id)?.callFrame.functionName ?? ""))
  .map(([id, us]) => ({ name: byId.get(id)?.callFrame.functionName, us }));

function place(node: ProfileNode): string {
  const url = node.callFrame.url.replace(/^file:\/\//, "");
  const short = url.includes("node_modules/.pnpm/")
    ? url.replace(/.*node_modules\/\.pnpm\/([^/]+)\/node_modules\/(.*)/, "$2")
    : url.replace(/.*\/stream-perf\//, "");
  return `${short}:${node.callFrame.lineNumber + 1}`;
}
function bucket(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (url === "") return node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : "(native)";
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm) return pnpm[1] as string;
  const local = /stream-perf\/((?:packages|apps)\/[^/]+)\/src\/(.*)/.exec(url);
  if (local) return `${local[1]}/${local[2]}`;
  return url;
}

function top(map: Map<string, number>, count: number, title: string) {
  console.log(`\n${title}`);
  for (const [name, us] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(
      `${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
  }
}

const byFunction = new Map<string, number>();
const byBucket = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id) as ProfileNode;
  const name = `${node.callFrame.functionName || "(anonymous)"}  ${place(node)}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const group = bucket(node);
  byBucket.set(group, (byBucket.get(group) ?? 0) + us);
}
// Node internals and natives charged to the nearest caller outside them: who asked for the work.
const byOrigin = new Map<string, number>();
for (const [id, us] of selfUs) {
  let current: number | undefined = id;
  let origin = bucket(byId.get(id) as ProfileNode);
  while (current !== undefined) {
    const node = byId.get(current) as ProfileNode;
    const group = bucket(node);
    if (!group.startsWith("node:") && group !== "(native)") {
      origin = group;
      break;
    }
    current = parentOf.get(current);
  }
  byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
}
console.log(
  `busy ${(totalUs / 1000).toFixed(0)} ms sampled (shares below are of this); ${idleUs.map((entry) => `${entry.name} ${(entry.us / 1000).toFixed(0)} ms`).join(", ")}`,
);
top(byBucket, Number(values.top), "self time by file / package");
top(byFunction, Number(values.top), "self time by function");
top(byOrigin, Number(values.top), "self time with node internals charged to their caller");

// Inclusive time of focused functions: a sample counts once if any ancestor matches.
const focus = values.focus.split(",").filter(Boolean);
if (focus.length > 0) {
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const node = byId.get(current) as ProfileNode;
      const matched = focus.find((name) => `${node.callFrame.functionName} ${node.callFrame.url}`.includes(name));
      if (matched && !seen.has(matched)) {
        seen.add(matched);
        inclusive.set(matched, (inclusive.get(matched) ?? 0) + us);
      }
    }
  }
  top(inclusive, focus.length, "inclusive time of --focus");
}
