/** A built copy of the repository from before a change, run beside the current build. */
export interface Baseline {
  /** The label given as "label=dir", or "before" for a bare "dir". */
  label: string;
  root: string;
  /** Whether the entry named its label (a bare dir did not). */
  labelled: boolean;
}

/** Parses BENCH_BASELINE: "dir", or "label=dir,label=dir" for several copies in the same run. */
export function parseBaselines(value: string | undefined): Baseline[] {
  return (value ?? "")
    .split(",")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const equals = entry.indexOf("=");
      if (equals === -1) return { label: "before", root: entry, labelled: false };
      return { label: entry.slice(0, equals), root: entry.slice(equals + 1), labelled: true };
    });
}
