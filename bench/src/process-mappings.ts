import { readFileSync } from "node:fs";

/** Resident MiB of a process by kind of mapping, from /proc/<pid>/smaps (Linux; empty elsewhere). */
export interface MappingSummary {
  /** The C heap grown by brk (malloc's main arena). */
  brkHeap: number;
  /** Anonymous mappings: V8's heap pages, malloc's other arenas and large blocks, thread stacks. */
  anonymous: number;
  /** Of the anonymous: mappings of 64 MiB (malloc's per-thread arenas reserve that much). */
  arenas64: number;
  /** File-backed: the node binary, shared libraries, anything mapped from disk. */
  files: number;
}

export function processMappings(pid: number | undefined): MappingSummary {
  const summary: MappingSummary = { brkHeap: 0, anonymous: 0, arenas64: 0, files: 0 };
  if (pid === undefined) return summary;
  let text = "";
  try {
    text = readFileSync(`/proc/${pid}/smaps`, "utf8");
  } catch {
    return summary;
  }
  let name = "";
  let sizeKiB = 0;
  for (const line of text.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      name = header[3] ?? "";
      sizeKiB = (Number.parseInt(header[2] ?? "0", 16) - Number.parseInt(header[1] ?? "0", 16)) / 1024;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const mib = Number(rss[1]) / 1024;
    if (name === "[heap]") summary.brkHeap += mib;
    else if (name === "" || name.startsWith("[anon")) {
      summary.anonymous += mib;
      if (sizeKiB === 65_536) summary.arenas64 += mib;
    } else summary.files += mib;
  }
  return summary;
}
