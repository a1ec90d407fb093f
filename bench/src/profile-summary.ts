/**
 * Reads a `.cpuprofile` (node --cpu-prof) and prints where the busy CPU went: self time by
 * package (node_modules package or Keel workspace), self time by function, and inclusive
 * time by function (each function counted once per sample, however deep it recurses).
 * Shares are of the busy samples: "(idle)" and "(program)" left out.
 *
 *   node --import tsx bench/src/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [top=25]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArgument] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
const top = Number(topArgument ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** The package a script URL belongs to: the node_modules package, a Keel workspace, or node's own. */
function packageOf(url: string): string {
  if (url === "") return "(native/vm)";
  if (url.startsWith("node:")) return "node:internal";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const workspace = /\/(packages|apps|bench|tooling)\/([^/]+)\//.exec(url);
  return workspace ? `@keel/${workspace[2]}` : url;
}
const labelOf = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === "" ? "" : ` ${url.replace(/^.*\/(packages|apps|node_modules)\//, "$1/")}:${lineNumber + 1}`;
  return `${functionName || "(anonymous)"}${where}`;
};

const self = new Map<string, number>();
const selfPackage = new Map<string, number>();
const inclusive = new Map<string, number>();
const inclusivePackage = new Map<string, number>();
let busy = 0;
const add = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value);

profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  const node = byId.get(id);
  if (!node) return;
  const name = node.callFrame.functionName;
  if (name === "(idle)" || name === "(program)") return;
  busy += delta;
  add(self, labelOf(node), delta);
  add(selfPackage, name === "(garbage collector)" ? "(garbage collector)" : packageOf(node.callFrame.url), delta);
  const seenLabels = new Set<string>();
  const seenPackages = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const frame = byId.get(current);
    if (!frame) break;
    const label = labelOf(frame);
    if (!seenLabels.has(label)) {
      seenLabels.add(label);
      add(inclusive, label, delta);
    }
    const name = packageOf(frame.callFrame.url);
    if (frame.callFrame.url !== "" && !seenPackages.has(name)) {
      seenPackages.add(name);
      add(inclusivePackage, name, delta);
    }
  }
});

const print = (title: string, map: Map<string, number>, count: number) => {
  console.log(`\n${title}`);
  for (const [key, value] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count))
    console.log(`${((value / busy) * 100).toFixed(1).padStart(6)} %  ${key}`);
};
const total = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
console.log(`${file}: busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`);
print("self time by package", selfPackage, top);
print("inclusive time by package (any frame of the package on the stack)", inclusivePackage, top);
print("self time by function", self, top);
print("inclusive time by function", inclusive, top * 2);
