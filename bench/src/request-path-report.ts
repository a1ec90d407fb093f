import type { CacheHitStage } from "./cache-hit-stage.ts";
import type { WindowResult } from "./measured-window.ts";
import type { SaturationResult } from "./saturation-search.ts";
import type { SoakSample } from "./soak.ts";

export interface RequestPathReport {
  fixed: WindowResult[];
  saturation: Record<string, SaturationResult>;
  cacheHits: CacheHitStage | undefined;
  twoProcess: { one: SaturationResult; two: SaturationResult } | undefined;
  soak: Record<string, SoakSample[]> | undefined;
  machine: {
    cpus: string;
    node: string;
    pinned: boolean;
    build: string;
    loadAverage: { start: number[]; end: number[] };
  };
  rates: number[];
}

export function formatWindow(result: WindowResult): string {
  const { p50, p99, max } = result.latency;
  return [
    `${result.target.padEnd(10)} ${String(result.rate).padStart(5)}/s`,
    `achieved ${result.achievedRate.toFixed(0).padStart(5)}/s`,
    `errors ${result.errors}`,
    `p50 ${p50.toFixed(2)} p99 ${p99.toFixed(2)} max ${max.toFixed(1)} ms`,
    `cpu ${result.cpuMsPerRequest.toFixed(3)} ms/req (upstream ${result.upstreamCpuMsPerRequest.toFixed(3)})`,
    `peak rss ${result.peakRssMiB.toFixed(0)} MiB`,
    result.held ? "held" : "NOT held",
  ].join("  ");
}

const fixedMs = (value: number | undefined, digits = 2) =>
  value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits);

/** The issue's table: one row per gateway, Keel's rates as a ratio of the forwarder's, then the detail. */
export function printSummary(report: RequestPathReport): void {
  const { fixed, saturation } = report;
  const find = (target: string, rate: number) => fixed.find((row) => row.target === target && row.rate === rate);
  const overheadP99 = (target: string, rate: number) => {
    const row = find(target, rate);
    const base = find("upstream", rate);
    return row && base ? `+${fixedMs(row.latency.p99 - base.latency.p99)}` : "-";
  };
  const names = [...new Set([...fixed.map((row) => row.target), ...Object.keys(saturation)])];
  const forwarderRate = saturation.forwarder?.highestHeld;
  if (names.length > 0) {
    console.log(
      "\n| gateway | highest rate held | × forwarder | CPU ms/request at 1000/s | overhead p99 at 500/s | overhead p99 at 1000/s | peak RSS at 1000/s |",
    );
    console.log("|---|---|---|---|---|---|---|");
    for (const name of names) {
      const held = saturation[name]?.highestHeld;
      const ratio = held !== undefined && forwarderRate ? (held / forwarderRate).toFixed(2) : "-";
      const at1000 = find(name, 1000);
      console.log(
        `| ${name} | ${held === undefined ? "-" : `${held}/s`} | ${name === "forwarder" ? "1.00" : ratio} | ${fixedMs(at1000?.cpuMsPerRequest, 3)} | ${name === "upstream" ? "(base)" : overheadP99(name, 500)} | ${name === "upstream" ? "(base)" : overheadP99(name, 1000)} | ${at1000 ? `${at1000.peakRssMiB.toFixed(0)} MiB` : "-"} |`,
      );
    }
    console.log(
      "\nPer rate (p50 / p99 ms, overhead = minus the bare upstream at the same percentile, CPU ms per request, peak RSS MiB):",
    );
    for (const rate of report.rates) {
      for (const name of names) {
        const row = find(name, rate);
        const base = find("upstream", rate);
        if (!row) continue;
        const over =
          base && name !== "upstream"
            ? `  overhead p50 +${fixedMs(row.latency.p50 - base.latency.p50)} p99 +${fixedMs(row.latency.p99 - base.latency.p99)}`
            : "";
        console.log(
          `  ${String(rate).padStart(5)}/s ${name.padEnd(10)} achieved ${row.achievedRate.toFixed(0).padStart(5)}/s errors ${row.errors}  ${fixedMs(row.latency.p50)} / ${fixedMs(row.latency.p99)}${over}  cpu ${fixedMs(row.cpuMsPerRequest, 3)}  rss ${row.peakRssMiB.toFixed(0)}${row.held ? "" : "  (not held)"}`,
        );
      }
    }
  }
  if (report.cacheHits) {
    const { hit, redisGet, rate, entryBytes } = report.cacheHits;
    console.log(
      `\nCache hit through tRPC (Redis) vs a bare Redis GET of the same ${entryBytes}-byte entry at ${rate}/s: hit p50 ${fixedMs(hit.latency.p50)} p99 ${fixedMs(hit.latency.p99)} (${hit.errors} not hits), GET p50 ${fixedMs(redisGet.latency.p50)} p99 ${fixedMs(redisGet.latency.p99)}; hit − GET at p99: +${fixedMs(hit.latency.p99 - redisGet.latency.p99)} ms`,
    );
  }
  if (report.twoProcess) {
    const { one, two } = report.twoProcess;
    const ratio = one.highestHeld > 0 ? (two.highestHeld / one.highestHeld).toFixed(2) : "-";
    console.log(
      `\nTwo tRPC processes on one Redis: one process holds ${one.highestHeld}/s, two hold ${two.highestHeld}/s (× ${ratio}).`,
    );
  }
  if (report.soak) {
    for (const [name, samples] of Object.entries(report.soak)) {
      const rss = samples.map((sample) => sample.rssMiB);
      const settled = rss.slice(Math.floor(rss.length / 2));
      const spread =
        settled.length > 0 ? ((Math.max(...settled) - Math.min(...settled)) / Math.min(...settled)) * 100 : 0;
      console.log(
        `\nSoak ${name}: ${samples.at(-1)?.requests ?? 0} requests, RSS ${rss[0] ?? "-"} → ${rss.at(-1) ?? "-"} MiB (max ${Math.max(...rss)}), second half within ${spread.toFixed(1)} %, heap used ${samples[0]?.heapUsedMiB ?? "-"} → ${samples.at(-1)?.heapUsedMiB ?? "-"} MiB, errors ${samples.reduce((sum, sample) => sum + sample.errors, 0)}`,
      );
    }
  }
  const { machine } = report;
  console.log(
    `\nMachine: ${machine.cpus}, Node ${machine.node}; ${machine.pinned ? "gateway on CPU 0, upstream and load generator on CPU 1 (taskset)" : "not pinned (no taskset or one CPU)"}; services from ${machine.build}; load average ${machine.loadAverage.start.map((value) => value.toFixed(2)).join(" ")} at start, ${machine.loadAverage.end.map((value) => value.toFixed(2)).join(" ")} at end.`,
  );
}
