const FENCE = /^\s*(```|~~~)/;

/**
 * Whitespace compaction of one message's text: outside code fences, runs of spaces and
 * tabs inside a line become one space (indentation is kept: it can carry meaning),
 * trailing spaces go, and two or more blank lines become one; inside fences only trailing
 * spaces go. Leading blank lines and trailing whitespace of the whole text go.
 */
export function compactWhitespace(text: string): string {
  let inFence = false;
  const lines = text.split(/\r?\n/).map((line) => {
    if (FENCE.test(line)) {
      inFence = !inFence;
      return line.trimEnd();
    }
    if (inFence) return line.trimEnd();
    const indentation = /^[ \t]*/.exec(line)?.[0] ?? "";
    return (
      indentation +
      line
        .slice(indentation.length)
        .replace(/[ \t]+/g, " ")
        .trimEnd()
    );
  });
  const kept: string[] = [];
  let blankRun = 0;
  inFence = false;
  for (const line of lines) {
    if (FENCE.test(line)) inFence = !inFence;
    blankRun = line === "" ? blankRun + 1 : 0;
    if (blankRun > 1 && !inFence) continue;
    kept.push(line);
  }
  return kept.join("\n").replace(/^\n+/, "").trimEnd();
}

/**
 * A non-blank line repeated `minRepeats` or more times in a row (outside code fences)
 * becomes the line once and a note saying how many copies went, so the model still
 * knows there were repeats.
 */
export function collapseRepeatedLines(text: string, minRepeats = 3): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let inFence = false;
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] as string;
    if (FENCE.test(line)) inFence = !inFence;
    let run = 1;
    while (!inFence && line.trim() !== "" && lines[index + run] === line) run++;
    out.push(line);
    if (run >= minRepeats) out.push(`[the line above repeats ${run - 1} more times]`);
    else for (let copy = 1; copy < run; copy++) out.push(line);
    index += run;
  }
  return out.join("\n");
}
