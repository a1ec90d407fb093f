import { readFileSync, writeFileSync } from "node:fs";

/** Resident set size now and its peak since the last reset, in MiB, from /proc (0 where there is none). */
export function processMemoryMiB(pid: number | undefined): { rss: number; peak: number } {
  if (pid === undefined) return { rss: 0, peak: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (Linux: "5" to clear_refs), so
 * the next reading is the peak of one measured window, not of everything before it.
 * Returns false where the kernel does not allow it (the peak then spans the whole run).
 */
export function resetPeakRss(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}
